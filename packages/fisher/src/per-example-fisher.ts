import * as tf from '@tensorflow/tfjs-core';
import { variableGrads, type Module, type Parameter } from '@tfjs-peft/core';
import { exampleLogLikelihood, observedTargets, sampledTargets, seededUniform } from './log-likelihood';
import { batchSize, type FisherOptions, type FisherResult } from './fisher-result';
import { FisherAccumulator } from './accumulator';
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
  const acc = new FisherAccumulator(
    chosen.map(([name]) => name),
    chosen.map(([, p]) => p.shape),
  );
  const wasTraining = model.training;
  model.eval();
  const rand = seededUniform(o.seed ?? 0);
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
          const { grads } = variableGrads(() => {
            const ll = exampleLogLikelihood(o.forward(batch), targets);
            return tf.squeeze(tf.slice(ll, [r], [1])) as tf.Scalar;
          }, vars);
          return vars.map((v) => tf.reshape(tf.square(grads[v.name]!), [-1]));
        });
        await acc.add(sq);
      }
      if (acc.endBatch(n, o)) break;
    }
  } finally {
    model.train(wasTraining);
  }
  return acc.result(kind, 'perExampleFisher');
}
