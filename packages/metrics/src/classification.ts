import { checkPair } from './validate';

/** Fraction of exact matches. */
export function accuracy(predictions: ArrayLike<number>, references: ArrayLike<number>): number {
  checkPair('accuracy', predictions, references);
  let hit = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === references[i]) hit++;
  return hit / predictions.length;
}

function f1For(p: ArrayLike<number>, r: ArrayLike<number>, label: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === label && r[i] === label) tp++;
    else if (p[i] === label) fp++;
    else if (r[i] === label) fn++;
  }
  // sklearn's zero_division default: 0 when there is no positive prediction or reference
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/**
 * F1 as `sklearn.metrics.f1_score`: `'binary'` for `posLabel` (default 1; GLUE MRPC/QQP), `'macro'`
 * the unweighted mean over the labels present in predictions or references.
 */
export function f1(predictions: ArrayLike<number>, references: ArrayLike<number>, options: { average?: 'binary' | 'macro'; posLabel?: number } = {}): number {
  checkPair('f1', predictions, references);
  if ((options.average ?? 'binary') === 'binary') return f1For(predictions, references, options.posLabel ?? 1);
  const labels = [...new Set([...Array.from(predictions), ...Array.from(references)])].sort((a, b) => a - b);
  return labels.reduce((s, l) => s + f1For(predictions, references, l), 0) / labels.length;
}

/** Matthews correlation coefficient, multiclass as `sklearn.metrics.matthews_corrcoef` (GLUE CoLA). */
export function matthewsCorrcoef(predictions: ArrayLike<number>, references: ArrayLike<number>): number {
  checkPair('matthewsCorrcoef', predictions, references);
  const labels = [...new Set([...Array.from(predictions), ...Array.from(references)])];
  const idx = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const c = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < predictions.length; i++) c[idx.get(references[i]!)!]![idx.get(predictions[i]!)!]!++;
  const n = predictions.length;
  const t = c.map((row) => row.reduce((a, b) => a + b, 0)); // true counts per class
  const p = labels.map((_, j) => c.reduce((a, row) => a + row[j]!, 0)); // predicted counts
  const correct = c.reduce((a, row, i) => a + row[i]!, 0);
  const cov = correct * n - t.reduce((a, ti, i) => a + ti * p[i]!, 0);
  const denom = Math.sqrt((n * n - p.reduce((a, x) => a + x * x, 0)) * (n * n - t.reduce((a, x) => a + x * x, 0)));
  return denom === 0 ? 0 : cov / denom;
}
