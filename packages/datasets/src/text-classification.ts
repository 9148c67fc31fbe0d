import { readText, type FileLocation } from '@tfjs-peft/core';
import { DataFormatError } from './errors';
import { parseTsv, DECIMAL_INTEGER } from './tsv';
import type { GlueSplit } from './glue/load-glue';

export interface TsvClassificationOptions {
  /** the text column (default: the first of `text`, `sentence`, `sentence1`) */
  textColumn?: string;
  /** an optional second text column (sentence pairs) */
  textPairColumn?: string;
  /** the label column (default `label`) */
  labelColumn?: string;
  /**
   * Label strings in id order. When omitted, the distinct labels of the file, sorted (numbers
   * numerically); give it for dev/test files so ids agree with the training split.
   */
  labelNames?: string[];
  /** a name for the split (default: the file name) */
  name?: string;
}

/**
 * A text-classification TSV with a header row (`label<TAB>text`, any other columns ignored) as the
 * same split shape the GLUE loaders return, so GLUE code trains on it unchanged. A row with a
 * missing cell or an unknown label is an error naming the file and line. Inferred labels are checked:
 * none may be empty, and when any is a decimal integer all must be (`0x10`, `1e1`, `1.0`, ` 1`, `01` are
 * errors naming file, line and column rather than labels of their own).
 */
export async function loadTsvClassification(path: FileLocation, o: TsvClassificationOptions = {}): Promise<GlueSplit> {
  const { text, label: file } = await readText(path);
  const rows = parseTsv(text);
  const header = rows.shift();
  if (!header) throw new DataFormatError(file, null, 'empty file; expected a header row such as "label<TAB>text"');
  const col = (name: string) => header.cells.indexOf(name);
  const textName = o.textColumn ?? ['text', 'sentence', 'sentence1'].find((c) => col(c) >= 0);
  if (!textName || col(textName) < 0)
    throw new DataFormatError(
      file,
      header.line,
      `no text column${o.textColumn ? ` "${o.textColumn}"` : ' (text, sentence or sentence1)'} in the header; columns: ${header.cells.join(', ')}`,
    );
  const labelName = o.labelColumn ?? 'label';
  if (col(labelName) < 0) throw new DataFormatError(file, header.line, `no label column "${labelName}" in the header; columns: ${header.cells.join(', ')}`);
  if (o.textPairColumn && col(o.textPairColumn) < 0) throw new DataFormatError(file, header.line, `no column "${o.textPairColumn}" in the header`);
  const [ti, li, pi] = [col(textName), col(labelName), o.textPairColumn ? col(o.textPairColumn) : -1];
  const need = Math.max(ti, li, pi) + 1;
  for (const r of rows) if (r.cells.length < need) throw new DataFormatError(file, r.line, `expected at least ${need} tab-separated cells, got ${r.cells.length}`);
  if (!o.labelNames)
    checkInferredLabels(
      file,
      labelName,
      rows.map((r) => ({ line: r.line, raw: r.cells[li]! })),
    );
  const labelNames =
    o.labelNames ?? [...new Set(rows.map((r) => r.cells[li]!))].sort((a, b) => (DECIMAL_INTEGER.test(a) && DECIMAL_INTEGER.test(b) ? Number(a) - Number(b) : a.localeCompare(b)));
  const ids = new Map(labelNames.map((l, i) => [l, i]));
  const examples = rows.map((r, i) => {
    const id = ids.get(r.cells[li]!);
    if (id == null) throw new DataFormatError(file, r.line, `label ${JSON.stringify(r.cells[li])} is not one of ${labelNames.join(', ')}`, labelName);
    return { idx: i, textA: r.cells[ti]!, textB: pi >= 0 ? r.cells[pi]! : null, label: id };
  });
  return { task: o.name ?? file.split(/[\\/]/).pop()!, split: o.name ?? 'train', examples, labelNames, file };
}

/** Labels read from the file (no `labelNames` given): non-empty, and all decimal integers when any is. */
function checkInferredLabels(file: string, column: string, labels: { line: number; raw: string }[]): void {
  const firstInt = labels.find((l) => DECIMAL_INTEGER.test(l.raw));
  for (const { line, raw } of labels) {
    if (raw.trim() === '') throw new DataFormatError(file, line, `expected a label, got ${raw === '' ? 'an empty cell' : JSON.stringify(raw)}`, column);
    if (firstInt && !DECIMAL_INTEGER.test(raw))
      throw new DataFormatError(
        file,
        line,
        `expected a decimal integer label (the column holds integers, e.g. ${JSON.stringify(firstInt.raw)} on line ${firstInt.line}), got ${JSON.stringify(raw)}`,
        column,
      );
  }
}
