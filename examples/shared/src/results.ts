import { mkdir, writeFile } from 'node:fs/promises';
import { lossCurvesSvg } from './plot';
import type { RunResult } from './run-method';
import { resultTable } from './table';

/** One run's line for the console: its dev metrics and wall time. */
export function runSummary(r: RunResult): string {
  return `${r.method}: ${Object.entries(r.metrics)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ')} (${(r.wallMs / 1000).toFixed(1)} s)`;
}

/** Writes `results.md` (the comparison table of `task`) and `loss-curves.svg` (titled `plotTitle`) into `out`; returns the table. */
export async function writeComparison(out: string, task: string, plotTitle: string, rows: RunResult[]): Promise<string> {
  const table = resultTable(task, rows);
  await mkdir(out, { recursive: true });
  await writeFile(`${out}/results.md`, `${table}\n`);
  await writeFile(`${out}/loss-curves.svg`, await lossCurvesSvg(plotTitle, rows));
  return table;
}
