/** One medical VQA question, whatever the source dataset. */
export interface VqaItem {
  qid: string;
  /** image path relative to the dataset's image root */
  image: string;
  question: string;
  answer: string;
  /** 'OPEN' or 'CLOSED' as the dataset labels it (MILE's own closed/open split is by yes/no answers: see `isClosedAnswer` in @tfjs-peft/metrics) */
  answerType: 'OPEN' | 'CLOSED';
  /** organ / body part as the dataset names it (VQA-RAD `image_organ`, SLAKE `location`) */
  organ: string | null;
  /** extra source fields (phrase_type, modality, content_type, …) */
  meta: Record<string, string>;
}

export interface VqaSplit {
  dataset: string;
  split: string;
  items: VqaItem[];
  /** folder the `image` paths are relative to */
  imageRoot: string;
  /** whether the image folder was found */
  imagesPresent: boolean;
}

/** Counts by answer type, by organ and by yes/no (closed in MILE's sense). */
export function vqaSummary(items: VqaItem[]): { total: number; byAnswerType: Record<string, number>; byOrgan: Record<string, number>; yesNo: number; images: number } {
  const byAnswerType: Record<string, number> = {};
  const byOrgan: Record<string, number> = {};
  let yesNo = 0;
  for (const it of items) {
    byAnswerType[it.answerType] = (byAnswerType[it.answerType] ?? 0) + 1;
    const o = it.organ ?? 'unknown';
    byOrgan[o] = (byOrgan[o] ?? 0) + 1;
    if (/^(yes|no)$/i.test(it.answer.trim())) yesNo++;
  }
  return { total: items.length, byAnswerType, byOrgan, yesNo, images: new Set(items.map((i) => i.image)).size };
}
