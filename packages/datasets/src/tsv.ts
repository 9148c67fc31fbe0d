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
