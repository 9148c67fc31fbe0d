import { glueMetrics, glueTaskName } from '@tfjs-peft/metrics';

/** A baseline row of the comparison table: its name, what it predicts, and its dev metrics. */
export interface Baseline {
  name: string;
  prediction: number;
  metrics: Record<string, number>;
}

/**
 * The majority-class baseline: predict the most frequent train label (ties: the smaller label) for
 * every dev example; for regression (`regression` true, e.g. STS-B) predict the train mean. Scored
 * with `metrics` (default: the GLUE metric of `task`).
 */
export function majorityBaseline(
  task: string,
  trainLabels: readonly number[],
  devLabels: readonly number[],
  o: { regression?: boolean; metrics?: (predictions: number[], references: number[]) => Record<string, number> } = {},
): Baseline {
  const score = o.metrics ?? ((p: number[], r: number[]) => glueMetrics(task, p, r));
  let prediction: number;
  if (o.regression) prediction = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;
  else {
    const counts = new Map<number, number>();
    for (const l of trainLabels) counts.set(l, (counts.get(l) ?? 0) + 1);
    prediction = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  }
  return {
    name: o.regression ? 'baseline: train mean' : 'baseline: majority class',
    prediction,
    metrics: score(
      devLabels.map(() => prediction),
      [...devLabels],
    ),
  };
}

/** The metric a GLUE task's learning rate is chosen by: MCC (CoLA), F1 (MRPC, QQP), Pearson (STS-B), accuracy otherwise. */
export function mainGlueMetric(task: string): string {
  switch (glueTaskName(task)) {
    case 'cola':
      return 'matthews_correlation';
    case 'mrpc':
    case 'qqp':
      return 'f1';
    case 'stsb':
      return 'pearson';
    default:
      return 'accuracy';
  }
}

/** The rate whose run scored highest on `metric` (NaN counts as worst; ties: the first in the grid). */
export function pickBestLr(trials: readonly { lr: number; metrics: Record<string, number> }[], metric: string): number {
  if (!trials.length) throw new Error('pickBestLr: no trials');
  let best = trials[0]!;
  const v = (t: { metrics: Record<string, number> }) => (Number.isFinite(t.metrics[metric]) ? t.metrics[metric]! : -Infinity);
  for (const t of trials) if (v(t) > v(best)) best = t;
  return best.lr;
}
