import { mkdir, writeFile } from 'node:fs/promises';
import { formatBytes } from '@tfjs-peft/core';
import type { Baseline } from './baseline';
import { lossCurvesSvg } from './plot';
import { formatMeanStd, lossSummary, summarizeRuns, type MethodSummary, type SeededRun } from './seeds';

/** A learning-rate sweep of one method: the dev metrics of each rate (first seed) and the rate chosen. */
export interface LrSweep {
  method: string;
  metric: string;
  trials: { lr: number; metrics: Record<string, number> }[];
  chosen: number;
}

const lrText = (lr: number) => lr.toExponential();

/**
 * The multi-seed comparison table: method, learning rate, each dev metric as mean ± sample std over
 * the seeds, trainable %, peak tensor memory (max over seeds), median step ms, wall s (summed over
 * seeds); a baseline row first when given.
 */
export function seedTable(task: string, summaries: readonly MethodSummary[], baseline?: Baseline): string {
  const metricNames = [...new Set([...(baseline ? Object.keys(baseline.metrics) : []), ...summaries.flatMap((s) => Object.keys(s.metrics))])];
  const n = [...new Set(summaries.map((s) => s.seeds.length))].join('/');
  const head = `| method | lr | ${metricNames.map((m) => `${task} dev ${m} (mean ± std, n = ${n || 0})`).join(' | ')} | trainable % | peak tensor memory | median step ms | wall s (all seeds) |`;
  const sep = `|${'---|'.repeat(metricNames.length + 6)}`;
  const rows = summaries.map(
    (s) =>
      `| ${s.method} | ${lrText(s.lr)} | ${metricNames.map((m) => formatMeanStd(s.metrics[m] ?? [])).join(' | ')} | ${s.trainablePercent.toFixed(3)}% | ${formatBytes(s.peakBytes)} | ${s.stepMs.toFixed(0)} | ${(s.wallMs / 1000).toFixed(1)} |`,
  );
  const base = baseline
    ? [`| ${baseline.name} | – | ${metricNames.map((m) => (baseline.metrics[m] == null ? '–' : baseline.metrics[m]!.toFixed(4))).join(' | ')} | 0.000% | – | – | – |`]
    : [];
  return [head, sep, ...base, ...rows].join('\n');
}

/** The sweeps as lines: `lora: 1e-4 → 0.61, 3e-4 → 0.66, 1e-3 → 0.64; chosen 3e-4 (dev f1)`. */
export function sweepLines(sweeps: readonly LrSweep[]): string[] {
  return sweeps.map(
    (s) => `${s.method}: ${s.trials.map((t) => `${lrText(t.lr)} → ${(t.metrics[s.metric] ?? NaN).toFixed(4)}`).join(', ')}; chosen ${lrText(s.chosen)} (dev ${s.metric})`,
  );
}

export interface SeedComparison {
  task: string;
  plotTitle: string;
  runs: SeededRun[];
  baseline?: Baseline;
  sweeps?: LrSweep[];
  /** lines printed under the table (the budget: epochs, steps, batch, length, seeds, model, backend) */
  notes: string[];
  /** written as is into results.json's `settings` */
  settings?: Record<string, unknown>;
}

/**
 * Writes `results.md` (table, notes, sweeps), `results.json` (every run: method, seed, lr, metrics,
 * step ms, peak, loss summary; the sweeps, baseline and settings) and `loss-curves.svg` (the first
 * seed of each method) into `out`; returns the markdown.
 */
export async function writeSeedComparison(out: string, c: SeedComparison): Promise<string> {
  const summaries = summarizeRuns(c.runs);
  const md = [seedTable(c.task, summaries, c.baseline), '', ...c.notes];
  if (c.sweeps?.length)
    md.push(
      '',
      'Learning rates chosen on dev (first seed; GLUE test labels are not public, so the choice is made on dev, as papers do):',
      '',
      ...sweepLines(c.sweeps).map((l) => `- ${l}`),
    );
  const text = md.join('\n');
  await mkdir(out, { recursive: true });
  await writeFile(`${out}/results.md`, `${text}\n`);
  const runs = c.runs.map((r) => ({
    method: r.method,
    seed: r.seed,
    lr: r.lr,
    metrics: r.metrics,
    stepMs: r.stepMs,
    peakBytes: r.peakBytes,
    wallMs: r.wallMs,
    trainablePercent: r.trainablePercent,
    trainableParams: r.trainableParams,
    totalParams: r.totalParams,
    loss: lossSummary(r.losses),
  }));
  await writeFile(
    `${out}/results.json`,
    `${JSON.stringify({ task: c.task, settings: c.settings ?? {}, baseline: c.baseline ?? null, sweeps: c.sweeps ?? [], summaries, runs }, null, 2)}\n`,
  );
  const firstSeed = summaries.map((s) => c.runs.find((r) => r.method === s.method)!);
  await writeFile(`${out}/loss-curves.svg`, await lossCurvesSvg(c.plotTitle, firstSeed));
  return text;
}
