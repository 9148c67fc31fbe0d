import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm, gradients, type Module } from '@tfjs-peft/core';
import { LayerNormProbe } from './layer-norm-probe';
import { exampleLogLikelihood, observedTargets, sampledTargets, seededUniform } from './log-likelihood';
import { batchSize, type FisherOptions, type FisherResult } from './fisher-result';
import { FisherAccumulator } from './accumulator';
import { FisherError } from './errors';

/** Module paths of every LayerNorm in a model, in module order. */
export function layerNormPaths(model: Module): string[] {
  return model
    .namedModules()
    .filter(([, m]) => m instanceof LayerNorm)
    .map(([p]) => p);
}

/**
 * Diagonal Fisher of every LayerNorm γ and β, streamed over `batches` with one forward and one
 * backward pass per batch: each LayerNorm is swapped for a probe whose γ/β are per-example rows,
 * so the batch's per-example gradients are the rows of one gradient (not the square of a batch
 * mean). Memory is one batch plus an [H] accumulator per LayerNorm. The model runs in eval mode
 * (no dropout) and is restored afterwards.
 */
export async function layerNormFisher<B>(model: Module, batches: Iterable<B> | AsyncIterable<B>, o: FisherOptions<B>): Promise<FisherResult> {
  const kind = o.kind ?? 'empirical';
  const paths = layerNormPaths(model);
  if (!paths.length) throw new FisherError('NO_LAYERNORM', 'layerNormFisher: the model has no LayerNorm modules (apply PEFT after computing the Fisher, not before)');
  const probes = paths.map((p) => {
    const probe = new LayerNormProbe(model.getSubmodule(p) as LayerNorm);
    model.replaceModule(p, probe);
    return probe;
  });
  const acc = new FisherAccumulator(
    paths.flatMap((p) => [`${p}.weight`, `${p}.bias`]),
    probes.flatMap((p) => [[p._ln.normalizedShape], [p._ln.normalizedShape]]),
  );
  const wasTraining = model.training;
  model.eval();
  const rand = seededUniform(o.seed ?? 0);
  try {
    for await (const batch of batches) {
      const n = batchSize(o, batch);
      const observed = kind === 'empirical' ? o.labels?.(batch) : undefined;
      let drawn: Float32Array | null = null;
      if (kind === 'true') {
        // the draw needs the outputs' values: a forward pass of its own (no gradient), read asynchronously
        const first = tf.tidy(() => o.forward(batch));
        drawn = await sampledTargets(first, rand);
        first.dispose();
      }
      const sq = tf.tidy(() => {
        const xs = probes.flatMap((p) => [tf.tile(tf.expandDims(p._ln.weight.value, 0), [n, 1]), tf.tile(tf.expandDims(p._ln.bias.value, 0), [n, 1])]);
        probes.forEach((p, i) => {
          p._gamma = xs[2 * i] as tf.Tensor2D;
          p._beta = xs[2 * i + 1] as tf.Tensor2D;
        });
        const { grads } = gradients(() => {
          const out = o.forward(batch);
          return tf.sum(exampleLogLikelihood(out, drawn ?? observedTargets(out, observed)));
        }, xs);
        return grads.map((g, i) => {
          if (g == null)
            throw new FisherError('NO_GRADIENT', `layerNormFisher: the log-likelihood does not depend on the ${i % 2 ? 'bias' : 'weight'} of LayerNorm #${Math.floor(i / 2)}`);
          return tf.sum(tf.square(g), 0);
        });
      });
      for (const p of probes) p._gamma = p._beta = null; // plain LayerNorms again until the next pass
      await acc.add(sq);
      if (acc.endBatch(n, o)) break;
    }
  } finally {
    probes.forEach((p, i) => {
      p._gamma = p._beta = null;
      model.replaceModule(paths[i]!, p._ln);
    });
    model.train(wasTraining);
  }
  return acc.result(kind, 'layerNormFisher');
}
