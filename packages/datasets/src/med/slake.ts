import { readText, joinPath, exists } from '@tfjs-peft/core';
import { DataFormatError } from '../errors';
import type { VqaItem, VqaSplit } from './vqa-item';

/**
 * SLAKE from its release folder: `train.json`, `validate.json`, `test.json` (or the `*_en.json`
 * English files), images at `imgs/<img_name>` (`imgs/xmlab102/source.jpg`) when present. English
 * questions only by default (`q_lang: en`; the English test split has 1,061 questions).
 */
export async function loadSlake(dir: string | URL, split: 'train' | 'validate' | 'test', o: { language?: 'en' | 'zh' | 'all' } = {}): Promise<VqaSplit> {
  const lang = o.language ?? 'en';
  const { text, label } = await readText(joinPath(dir, `${split}.json`));
  let rows: Record<string, unknown>[];
  try {
    rows = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(label, null, `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(rows)) throw new DataFormatError(label, null, 'expected a JSON array of question records');
  const items: VqaItem[] = [];
  rows.forEach((r, i) => {
    for (const k of ['qid', 'img_name', 'question', 'answer', 'answer_type', 'q_lang']) {
      if (r[k] == null) throw new DataFormatError(label, null, `record ${i}: missing "${k}"`);
    }
    if (lang !== 'all' && r.q_lang !== lang) return;
    const type = String(r.answer_type).trim().toUpperCase();
    if (type !== 'OPEN' && type !== 'CLOSED') throw new DataFormatError(label, null, `record ${i} (qid ${r.qid}): answer_type "${r.answer_type}"; expected OPEN or CLOSED`);
    items.push({
      qid: String(r.qid),
      image: String(r.img_name),
      question: String(r.question),
      answer: String(r.answer).trim(),
      answerType: type,
      organ: r.location != null ? String(r.location) : null,
      meta: { modality: String(r.modality ?? ''), content_type: String(r.content_type ?? ''), q_lang: String(r.q_lang) },
    });
  });
  const root = joinPath(dir, 'imgs');
  return { dataset: 'SLAKE', split, items, imageRoot: String(root), imagesPresent: items.length > 0 && (await exists(joinPath(root, items[0]!.image))) };
}
