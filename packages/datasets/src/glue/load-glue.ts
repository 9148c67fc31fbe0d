import { readText, joinPath, type FileLocation } from '@tfjs-peft/core';
import { DataFormatError } from '../errors';
import { parseTsv, parseIndexCell, parseDecimalCell } from '../tsv';
import { GLUE, GLUE_TASK_NAMES, type GlueTaskSpec } from './tasks';

export interface GlueExample {
  /** row id (test files) or row number */
  idx: number;
  textA: string;
  textB: string | null;
  /** class id, the float score (STS-B), or null in test files */
  label: number | null;
}

export interface GlueSplit {
  task: string;
  split: string;
  examples: GlueExample[];
  /** label strings in id order (null for regression) */
  labelNames: string[] | null;
  file: string;
}

function spec(task: string): [string, GlueTaskSpec] {
  const key = GLUE_TASK_NAMES.find((t) => t.toLowerCase().replace('-', '') === task.toLowerCase().replace('-', ''));
  if (!key) throw new RangeError(`unknown GLUE task "${task}"; expected one of ${GLUE_TASK_NAMES.join(', ')}`);
  return [key, GLUE[key]!];
}

/**
 * Reads one split of a GLUE task from a `glue_data` folder (path or URL): `loadGlue(dir, 'MRPC', 'dev')`.
 * Columns and label spaces follow the GLUE distribution; test files have no labels. A row with
 * too few columns, an unknown label, a score that is not a decimal in [0, 5] (STS-B) or a test id
 * that is not a decimal integer is a `DataFormatError` naming the file, line and column.
 */
export async function loadGlue(glueDir: FileLocation, task: string, split: string): Promise<GlueSplit> {
  const [name, s] = spec(task);
  const fileName = s.splits[split];
  if (!fileName) throw new RangeError(`GLUE ${name} has no split "${split}"; splits: ${Object.keys(s.splits).join(', ')}`);
  const path = joinPath(joinPath(glueDir, s.folder), fileName);
  const { text, label: file } = await readText(path);
  const rows = parseTsv(text);
  const isTest = split.startsWith('test');
  const hasHeader = isTest ? s.header.test : s.header.train;
  const header = hasHeader ? (rows.shift()?.cells ?? []) : [];
  const col = (c: string | number): number => {
    if (typeof c === 'number') return c;
    const i = header.indexOf(c);
    if (i < 0) throw new DataFormatError(file, 1, `header has no column "${c}"; columns: ${header.join(', ')}`);
    return i;
  };
  const cols = isTest ? s.testColumns : s.columns;
  const ia = col(cols.a);
  const ib = cols.b != null ? col(cols.b) : -1;
  const il = isTest ? -1 : col((cols as GlueTaskSpec['columns']).label);
  const iid = isTest ? col((cols as GlueTaskSpec['testColumns']).id) : -1;
  const need = Math.max(ia, ib, il, iid) + 1;
  // a column's name for messages: its header name, or its 1-based position in headerless files
  const colName = (c: string | number) => (typeof c === 'number' ? String(c + 1) : c);
  const examples: GlueExample[] = rows.map(({ line, cells }, n) => {
    if (cells.length < need) throw new DataFormatError(file, line, `expected at least ${need} tab-separated columns, got ${cells.length}`);
    let label: number | null = null;
    if (!isTest) {
      const raw = cells[il]!;
      const column = colName((cols as GlueTaskSpec['columns']).label);
      if (s.labels) {
        label = s.labels.indexOf(raw);
        if (label < 0) throw new DataFormatError(file, line, `expected one of ${s.labels.join(', ')}, got ${JSON.stringify(raw)}`, column);
      } else {
        label = parseDecimalCell(raw, { file, line, column }, 0, 5);
      }
    }
    const idx = isTest ? parseIndexCell(cells[iid]!, { file, line, column: colName((cols as GlueTaskSpec['testColumns']).id) }) : n;
    return { idx, textA: cells[ia]!, textB: ib >= 0 ? cells[ib]! : null, label };
  });
  return { task: name, split, examples, labelNames: s.labels, file };
}
