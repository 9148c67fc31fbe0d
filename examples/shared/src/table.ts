import { formatBytes } from '@tfjs-peft/core';
import type { RunResult } from './run-method';

/** The comparison table: dev metric, trainable %, peak memory, step time, wall time. */
export function resultTable(task: string, rows: RunResult[]): string {
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const head = `| method | ${metricNames.map((m) => `${task} dev ${m}`).join(' | ')} | trainable % | peak tensor memory | step ms | wall s |`;
  const sep = `|${'---|'.repeat(metricNames.length + 5)}`;
  const lines = rows.map(
    (r) =>
      `| ${r.method} | ${metricNames.map((m) => (r.metrics[m] == null ? '–' : r.metrics[m]!.toFixed(4))).join(' | ')} | ${r.trainablePercent.toFixed(3)}% | ${formatBytes(r.peakBytes)} | ${r.stepMs.toFixed(0)} | ${(r.wallMs / 1000).toFixed(1)} |`,
  );
  return [head, sep, ...lines].join('\n');
}
