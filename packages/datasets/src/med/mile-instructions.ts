import { readText, type FileLocation } from '@tfjs-peft/core';
import { DataFormatError } from '../errors';

/** One item of MILE's instruction format: a prompt is drawn from `questionPool` each time it is used. */
export interface InstructionItem {
  image: string;
  qid: string;
  answer: string;
  questionPool: string[];
}

/**
 * MILE's instruction JSON (`RAD_instruction_data.json` and the like): a list of
 * `{img_name, qid, answer, question_pool}`. Answers are kept as strings (a few are numbers in the
 * released file).
 */
export async function loadMileInstructions(file: FileLocation): Promise<InstructionItem[]> {
  const { text, label } = await readText(file);
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(label, null, `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(rows)) throw new DataFormatError(label, null, 'expected a JSON list of {img_name, qid, answer, question_pool}');
  return rows.map((r: Record<string, unknown>, i) => {
    if (typeof r.img_name !== 'string') throw new DataFormatError(label, null, `item ${i}: "img_name" must be a string`);
    if (r.answer == null) throw new DataFormatError(label, null, `item ${i}: missing "answer"`);
    if (!Array.isArray(r.question_pool) || !r.question_pool.length || !r.question_pool.every((q) => typeof q === 'string')) {
      throw new DataFormatError(label, null, `item ${i}: "question_pool" must be a non-empty list of strings`);
    }
    return { image: r.img_name, qid: String(r.qid), answer: String(r.answer), questionPool: r.question_pool as string[] };
  });
}

/** One prompt of an item, drawn with `rand()` in [0, 1) (seed it for reproducible epochs). */
export const drawPrompt = (item: InstructionItem, rand: () => number): string =>
  item.questionPool[Math.min(item.questionPool.length - 1, Math.floor(rand() * item.questionPool.length))]!;
