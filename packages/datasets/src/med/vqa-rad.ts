import { joinPath, exists } from '@tfjs-peft/core';
import { readRecords, answerType } from './read-records';
import type { VqaItem, VqaSplit } from './vqa-item';

/**
 * VQA-RAD from its official release folder: `VQA_RAD Dataset Public.json` and the image folder
 * (`images/` or `VQA_RAD Image Folder/`). The test split is the rows whose `phrase_type` starts
 * with `test_` (test_freeform, test_para: 451 questions); train is the rest.
 */
export async function loadVqaRad(dir: string | URL, split: 'train' | 'test' | 'all' = 'train'): Promise<VqaSplit> {
  const { rows, label } = await readRecords(joinPath(dir, 'VQA_RAD Dataset Public.json'), ['qid', 'image_name', 'question', 'answer', 'answer_type', 'phrase_type']);
  const items: VqaItem[] = [];
  rows.forEach((r, i) => {
    const isTest = String(r.phrase_type).startsWith('test_');
    if (split !== 'all' && isTest !== (split === 'test')) return;
    const type = answerType(r, i, label);
    items.push({
      qid: String(r.qid),
      image: String(r.image_name),
      question: String(r.question),
      answer: String(r.answer).trim(),
      answerType: type,
      organ: r.image_organ != null ? String(r.image_organ).trim() : null,
      meta: { phrase_type: String(r.phrase_type), question_type: String(r.question_type ?? '') },
    });
  });
  let root = joinPath(dir, 'images');
  let present = await exists(joinPath(dir, 'images/synpic54610.jpg'));
  if (!present && (await exists(joinPath(dir, 'VQA_RAD Image Folder')))) [root, present] = [joinPath(dir, 'VQA_RAD Image Folder'), true];
  return { dataset: 'VQA-RAD', split, items, imageRoot: String(root), imagesPresent: present || (await exists(root)) };
}
