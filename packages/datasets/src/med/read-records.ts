import { readText, type FileLocation } from '@tfjs-peft/core';
import { DataFormatError } from '../errors';

/**
 * A JSON array of records, each checked for `required` fields; errors name the file and record.
 * `answer_type` is read as OPEN or CLOSED (trimmed: VQA-RAD has "CLOSED " twice).
 */
export async function readRecords(source: FileLocation, required: string[]): Promise<{ rows: Record<string, unknown>[]; label: string }> {
  const { text, label } = await readText(source);
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(label, null, `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(rows)) throw new DataFormatError(label, null, 'expected a JSON array of question records');
  rows.forEach((r: Record<string, unknown>, i) => {
    for (const k of required) if (r?.[k] == null) throw new DataFormatError(label, null, `record ${i}: missing "${k}"`);
  });
  return { rows, label };
}

/** `answer_type` as OPEN or CLOSED, or an error naming the record. */
export function answerType(r: Record<string, unknown>, i: number, label: string): 'OPEN' | 'CLOSED' {
  const type = String(r.answer_type).trim().toUpperCase();
  if (type !== 'OPEN' && type !== 'CLOSED') throw new DataFormatError(label, null, `record ${i} (qid ${r.qid}): answer_type "${r.answer_type}"; expected OPEN or CLOSED`);
  return type;
}
