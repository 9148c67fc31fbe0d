import * as tf from '@tensorflow/tfjs-core';
import type { Module, Parameter } from '@tfjs-peft/core';
import { exampleLogLikelihood, observedTargets, sampledTargets, seededUniform } from './log-likelihood';
import { batchSize, type FisherOptions, type FisherResult } from './fisher-result';
import { FisherError } from './errors';

/**
 * Diagonal Fisher of any parameters, by an explicit loop: one backward pass per example (the
 * batch's forward is recomputed for each of its rows). The reference for `layerNormFisher` and
 * the fallback for parameters that have no batched per-example rule. `params` selects by name.
 */
export async function perExampleFisher<B>(
  model: Module,
  batches: Iterable<B> | AsyncIterable<B>,
  o: FisherOptions<B> & { params: (name: string) => boolean },
): Promise<FisherResult> {
  const kind = o.kind ?? 'empirical';
  const chosen = model.namedParameters().filter(([name]) => o.params(name));
  if (!chosen.length) throw new FisherError('NO_PARAMS', 'perExampleFisher: params(name) selected no parameter');
  const acc = chosen.map(([, p]) => new Float64Array(p.size));
  const wasTraining = model.training;
  model.eval();
  const rand = seededUniform(o.seed ?? 0);
  let examples = 0;
  let nb = 0;
  const vars = chosen.map(([, p]: [string, Parameter]) => p.variable);
  try {
    for await (const batch of batches) {
      const n = batchSize(o, batch);
      const observed = kind === 'empirical' ? o.labels?.(batch) : undefined;
      // one label draw per example, made once so every row's pass sees the same targets
      const first = tf.tidy(() => o.forward(batch));
      const targets = kind === 'true' ? await sampledTargets(first, rand) : observedTargets(first, observed);
      first.dispose();
      for (let r = 0; r < n; r++) {
        const sq = tf.tidy(() => {
          const { grads } = tf.variableGrads(() => {
            const ll = exampleLogLikelihood(o.forward(batch), targets);
            return tf.squeeze(tf.slice(ll, [r], [1])) as tf.Scalar;
          }, vars);
          return vars.map((v) => tf.reshape(tf.square(grads[v.name]!), [-1]));
        });
        const data = await Promise.all(sq.map((t) => t.data()));
        tf.dispose(sq);
        data.forEach((d, i) => {
          const a = acc[i]!;
          for (let k = 0; k < a.length; k++) a[k]! += d[k]!;
        });
      }
      examples += n;
      nb++;
      o.onProgress?.({ batches: nb, examples });
      if (o.maxExamples && examples >= o.maxExamples) break;
    }
  } finally {
    model.train(wasTraining);
  }
  if (!examples) throw new FisherError('NO_EXAMPLES', 'perExampleFisher: the loader yielded no examples');
  const values = new Map<string, Float64Array>();
  const shapes = new Map<string, number[]>();
  chosen.forEach(([name, p], i) => {
    const a = acc[i]!;
    for (let k = 0; k < a.length; k++) a[k]! /= examples;
    values.set(name, a);
    shapes.set(name, p.shape);
  });
  return { kind, examples, values, shapes };
}
