import * as tf from '@tensorflow/tfjs-core';
import { logSoftmax } from '@tfjs-peft/core';
import { FisherError } from './errors';

export type FisherKind = 'empirical' | 'true';

/** mulberry32: a small seeded generator for sampling labels of the true Fisher. */
export function seededUniform(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The observed labels as targets of the empirical Fisher, checked against the outputs: one per row
 * of `outputs` ([N, C] class logits, or [N] / [N, 1] regression outputs under a unit-variance
 * Gaussian), class indices in [0, C).
 */
export function observedTargets(outputs: tf.Tensor, observed: ArrayLike<number> | undefined, where = 'forward()'): Float32Array {
  const n = outputs.shape[0]!;
  const regression = isRegression(outputs, where);
  if (!observed) throw new FisherError('NO_LABELS', 'the empirical Fisher needs labels(batch)');
  if (observed.length !== n) throw new FisherError('BAD_LABELS', `labels(batch) has ${observed.length} entries but ${where} returned ${n} rows`);
  const c = outputs.shape[1]!;
  return Float32Array.from(observed, (v, i) => {
    if (!regression && (!Number.isInteger(v) || v < 0 || v >= c)) throw new FisherError('BAD_LABELS', `labels(batch)[${i}] = ${v} is not a class index in [0, ${c})`);
    return v;
  });
}

/**
 * Targets of the true Fisher: one label per row drawn from the model's own predictive
 * distribution (a Gaussian around regression outputs). Reads the values (asynchronously, so it
 * works on WebGPU) and is not part of any gradient.
 */
export async function sampledTargets(outputs: tf.Tensor, rand: () => number, where = 'forward()'): Promise<Float32Array> {
  const n = outputs.shape[0]!;
  if (isRegression(outputs, where)) {
    const mean = tf.reshape(outputs, [n]);
    const m = await mean.data();
    mean.dispose();
    return Float32Array.from({ length: n }, (_, i) => m[i]! + gaussian(rand));
  }
  const c = outputs.shape[1]!;
  const probs = tf.softmax(outputs);
  const p = (await probs.data()) as Float32Array;
  probs.dispose();
  return Float32Array.from({ length: n }, (_, r) => {
    let u = rand();
    for (let k = 0; k < c; k++) if ((u -= p[r * c + k]!) <= 0) return k;
    return c - 1;
  });
}

function isRegression(outputs: tf.Tensor, where: string): boolean {
  const regression = outputs.rank === 1 || (outputs.rank === 2 && outputs.shape[1] === 1);
  if (!regression && outputs.rank !== 2) throw new FisherError('BAD_OUTPUT', `${where} must return [N, C] logits or [N] regression outputs, got [${outputs.shape}]`);
  return regression;
}

/** log p(target_r | x_r) for each row (see `observedTargets`, `sampledTargets`). */
export function exampleLogLikelihood(outputs: tf.Tensor, targets: Float32Array, where = 'forward()'): tf.Tensor1D {
  const n = outputs.shape[0]!;
  if (isRegression(outputs, where)) {
    return tf.mul(-0.5, tf.square(tf.sub(tf.reshape(outputs, [n]), tf.tensor1d(targets)))) as tf.Tensor1D;
  }
  const oneHot = tf.oneHot(tf.tensor1d(Int32Array.from(targets), 'int32'), outputs.shape[1]!, 1, 0, 'int32');
  return tf.sum(tf.mul(logSoftmax(outputs as tf.Tensor2D), tf.cast(oneHot, 'float32')), 1) as tf.Tensor1D;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
