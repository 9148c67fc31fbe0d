import { accuracy, f1, matthewsCorrcoef } from './classification';
import { pearson, spearman } from './correlation';

export const GLUE_TASKS = ['cola', 'sst2', 'mrpc', 'qqp', 'stsb', 'mnli', 'mnli_matched', 'mnli_mismatched', 'qnli', 'rte', 'wnli', 'hans'] as const;
export type GlueTask = (typeof GLUE_TASKS)[number];

/** The canonical name: `CoLA`, `SST-2`, `STS-B`, `MNLI-m` … → `cola`, `sst2`, `stsb`, `mnli_matched` … */
export function glueTaskName(task: string): GlueTask {
  const t = task
    .toLowerCase()
    .replace(/-/g, '')
    .replace(/^mnlim$/, 'mnli_matched')
    .replace(/^mnlimm$/, 'mnli_mismatched');
  if (!(GLUE_TASKS as readonly string[]).includes(t)) throw new RangeError(`unknown GLUE task "${task}"; expected one of ${GLUE_TASKS.join(', ')}`);
  return t as GlueTask;
}

/**
 * The GLUE metric(s) of a task, as Hugging Face `evaluate`'s `glue` metric computes them: Matthews
 * correlation (CoLA), accuracy and binary F1 (MRPC, QQP), Pearson and Spearman (STS-B, float
 * predictions), accuracy otherwise.
 */
export function glueMetrics(task: string, predictions: ArrayLike<number>, references: ArrayLike<number>): Record<string, number> {
  switch (glueTaskName(task)) {
    case 'cola':
      return { matthews_correlation: matthewsCorrcoef(predictions, references) };
    case 'stsb':
      return { pearson: pearson(predictions, references), spearmanr: spearman(predictions, references) };
    case 'mrpc':
    case 'qqp':
      return { accuracy: accuracy(predictions, references), f1: f1(predictions, references) };
    default:
      return { accuracy: accuracy(predictions, references) };
  }
}

/** The single number GLUE leaderboards report for a task (mean of the pair for MRPC/QQP/STS-B). */
export function glueScore(task: string, predictions: ArrayLike<number>, references: ArrayLike<number>): number {
  const m = Object.values(glueMetrics(task, predictions, references));
  return m.reduce((a, b) => a + b, 0) / m.length;
}
