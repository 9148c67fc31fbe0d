import { DataFormatError } from './errors';

/**
 * Tab-separated rows as the GLUE files are written: no quoting (a `"` is an ordinary character),
 * `\n` or `\r\n` line ends, an optional UTF-8 BOM. Returns rows with their 1-based line numbers;
 * empty lines are skipped.
 */
export function parseTsv(text: string): { line: number; cells: string[] }[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: { line: number; cells: string[] }[] = [];
  body.split('\n').forEach((raw, i) => {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.length) out.push({ line: i + 1, cells: l.split('\t') });
  });
  return out;
}

/** Where a cell came from, for error messages. */
export interface CellAt {
  file: string;
  line: number;
  column: string;
}

/** A canonical decimal integer: `0`, `7`, `-3`; not `07`, `+1`, `1.0`, `1e1`, `0x10`, ` 1`. */
export const DECIMAL_INTEGER = /^-?(0|[1-9]\d*)$/;
const NON_NEGATIVE_INTEGER = /^\d+$/;
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

const shown = (raw: string) => (raw === '' ? 'an empty cell' : JSON.stringify(raw));

/**
 * A row id (`index`, `id`): decimal digits only (leading zeros allowed, as GLUE's ids are written),
 * a safe integer. `Number()` would take `0x10`, `1e3`, `''` and ` 7 `; this does not.
 */
export function parseIndexCell(raw: string, at: CellAt): number {
  const v = NON_NEGATIVE_INTEGER.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v)) throw new DataFormatError(at.file, at.line, `expected a non-negative decimal integer index, got ${shown(raw)}`, at.column);
  return v;
}

/** A decimal number (digits and an optional fraction, no sign, exponent or hex) in `[min, max]`. */
export function parseDecimalCell(raw: string, at: CellAt, min: number, max: number): number {
  const v = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!(v >= min && v <= max)) throw new DataFormatError(at.file, at.line, `expected a decimal number in [${min}, ${max}], got ${shown(raw)}`, at.column);
  return v;
}
