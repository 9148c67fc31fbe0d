import { joinPath, exists } from '@tfjs-peft/core';
import { readRecords, answerType } from './read-records';
import type { VqaItem, VqaSplit } from './vqa-item';

/**
 * SLAKE from its release folder: `train.json`, `validate.json`, `test.json` (or the `*_en.json`
 * English files), images at `imgs/<img_name>` (`imgs/xmlab102/source.jpg`) when present. English
 * questions only by default (`q_lang: en`; the English test split has 1,061 questions).
 */
export async function loadSlake(dir: string | URL, split: 'train' | 'validate' | 'test', o: { language?: 'en' | 'zh' | 'all' } = {}): Promise<VqaSplit> {
  const lang = o.language ?? 'en';
  const { rows, label } = await readRecords(joinPath(dir, `${split}.json`), ['qid', 'img_name', 'question', 'answer', 'answer_type', 'q_lang']);
  const items: VqaItem[] = [];
  rows.forEach((r, i) => {
    if (lang !== 'all' && r.q_lang !== lang) return;
    const type = answerType(r, i, label);
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
