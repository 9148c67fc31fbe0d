import type { RunResult } from './run-method';

/** One training run of a multi-seed experiment: a method at one learning rate and one seed. */
export interface SeededRun extends RunResult {
  seed: number;
  lr: number;
}

/** The runs of one method (all seeds, one learning rate), summarised for the table. */
export interface MethodSummary {
  method: string;
  lr: number;
  seeds: number[];
  /** per metric, the value of each seed (in `seeds` order) */
  metrics: Record<string, number[]>;
  trainablePercent: number;
  /** the largest peak over the seeds */
  peakBytes: number;
  /** the median of the runs' median step times */
  stepMs: number;
  /** summed over the seeds */
  wallMs: number;
  steps: number;
}

/** Mean and sample standard deviation (n − 1 in the denominator; NaN for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, std, n };
}

/** `0.8123 ± 0.0123` (sample std); `0.8123 ± –` for a single value, `–` for none. */
export function formatMeanStd(values: readonly number[], digits = 4): string {
  const { mean, std, n } = meanStd(values);
  if (n === 0) return '–';
  return `${mean.toFixed(digits)} ± ${Number.isNaN(std) ? '–' : std.toFixed(digits)}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

/** Groups runs by method (first-seen order) and summarises each group. */
export function summarizeRuns(runs: readonly SeededRun[]): MethodSummary[] {
  const groups = new Map<string, SeededRun[]>();
  for (const r of runs) groups.set(r.method, [...(groups.get(r.method) ?? []), r]);
  return [...groups.values()].map((g) => {
    const names = [...new Set(g.flatMap((r) => Object.keys(r.metrics)))];
    return {
      method: g[0]!.method,
      lr: g[0]!.lr,
      seeds: g.map((r) => r.seed),
      metrics: Object.fromEntries(names.map((m) => [m, g.map((r) => r.metrics[m]!).filter((v) => v != null)])),
      trainablePercent: g[0]!.trainablePercent,
      peakBytes: Math.max(...g.map((r) => r.peakBytes)),
      stepMs: median(g.map((r) => r.stepMs)),
      wallMs: g.reduce((a, r) => a + r.wallMs, 0),
      steps: g[0]!.losses.length,
    };
  });
}

/** A loss curve in four numbers (for results.json): first, last, lowest, and the mean of the last tenth. */
export function lossSummary(losses: readonly number[]): { steps: number; first: number | null; last: number | null; min: number | null; meanLastTenth: number | null } {
  if (!losses.length) return { steps: 0, first: null, last: null, min: null, meanLastTenth: null };
  const tail = losses.slice(-Math.max(1, Math.ceil(losses.length / 10)));
  return { steps: losses.length, first: losses[0]!, last: losses.at(-1)!, min: Math.min(...losses), meanLastTenth: tail.reduce((a, b) => a + b, 0) / tail.length };
}

/** Optimizer steps of a full-epoch schedule: ceil(examples / batch size) × epochs, unless `maxSteps` > 0 overrides it. */
export function scheduleSteps(examples: number, batchSize: number, epochs: number, maxSteps = 0): number {
  return maxSteps > 0 ? maxSteps : Math.ceil(examples / batchSize) * epochs;
}

/** Parses a comma-separated list of numbers (`--seeds 42,43,44`, `--lr-grid 1e-4,3e-4`). */
export function parseNumberList(option: string, s: string): number[] {
  const xs = s.split(',').map((x) => x.trim());
  const ns = xs.map(Number);
  if (!xs.length || xs.some((x, i) => x === '' || !Number.isFinite(ns[i]))) throw new Error(`--${option}: expected comma-separated numbers, got "${s}"`);
  return ns;
}
