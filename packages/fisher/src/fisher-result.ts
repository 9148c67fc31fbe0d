import type { FisherKind } from './log-likelihood';

/** Diagonal Fisher: per parameter name, the mean over examples of the squared per-example gradient of log p(y|x). */
export interface FisherResult {
  kind: FisherKind;
  examples: number;
  values: Map<string, Float64Array>;
  shapes: Map<string, number[]>;
}

export interface FisherOptions<B> {
  /** the model's outputs for a batch: [N, C] class logits, or [N] / [N, 1] regression outputs */
  forward: (batch: B) => tf.Tensor;
  /** observed labels of the batch's N examples (required for the empirical Fisher) */
  labels?: (batch: B) => ArrayLike<number>;
  /** number of examples in a batch; defaults to `labels(batch).length` */
  size?: (batch: B) => number;
  /** 'empirical' (observed labels, default) or 'true' (labels sampled from the model) */
  kind?: FisherKind;
  /** seed of the label sampling for the true Fisher */
  seed?: number;
  /** stop after this many examples */
  maxExamples?: number;
  /** called after each batch */
  onProgress?: (p: { batches: number; examples: number }) => void;
}

import type * as tf from '@tensorflow/tfjs-core';
import { FisherError } from './errors';

export function batchSize<B>(o: FisherOptions<B>, batch: B): number {
  if (o.size) return o.size(batch);
  if (o.labels) return o.labels(batch).length;
  throw new FisherError('NO_SIZE', 'give size(batch) (or labels(batch)) so the number of examples per batch is known');
}
