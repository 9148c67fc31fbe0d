import * as tf from '@tensorflow/tfjs-core';
import { gradients, isAffineNorm, type AffineNorm, type Module } from '@tfjs-peft/core';
import { LayerNormProbe } from './layer-norm-probe';
import { exampleLogLikelihood, observedTargets, sampledTargets, seededUniform } from './log-likelihood';
import { batchSize, type FisherOptions, type FisherResult } from './fisher-result';
import { FisherAccumulator } from './accumulator';
import { FisherError } from './errors';

/** Module paths of every LayerNorm (and RMSNorm) in a model, in module order. */
export function layerNormPaths(model: Module): string[] {
  return model
    .namedModules()
    .filter(([, m]) => isAffineNorm(m))
    .map(([p]) => p);
}

/**
 * Diagonal Fisher of every LayerNorm γ and β (and RMSNorm γ), streamed over `batches` with one forward and one
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
    const probe = new LayerNormProbe(model.getSubmodule(p) as AffineNorm);
    model.replaceModule(p, probe);
    return probe;
  });
  // γ of every norm, and β where it has one (an RMSNorm has none)
  const keys = paths.flatMap((p, i) => (probes[i]!._ln.bias ? [`${p}.weight`, `${p}.bias`] : [`${p}.weight`]));
  const acc = new FisherAccumulator(
    keys,
    probes.flatMap((p) => (p._ln.bias ? [[p._ln.normalizedShape], [p._ln.normalizedShape]] : [[p._ln.normalizedShape]])),
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
        const rows = (t: tf.Tensor) => tf.tile(tf.expandDims(t, 0), [n, 1]) as tf.Tensor2D;
        const xs: tf.Tensor[] = [];
        for (const p of probes) {
          p._gamma = rows(p._ln.weight.value);
          xs.push(p._gamma);
          if (p._ln.bias) {
            p._beta = rows(p._ln.bias.value);
            xs.push(p._beta);
          }
        }
        const { grads } = gradients(() => {
          const out = o.forward(batch);
          return tf.sum(exampleLogLikelihood(out, drawn ?? observedTargets(out, observed)));
        }, xs);
        return grads.map((g, i) => {
          if (g == null) throw new FisherError('NO_GRADIENT', `layerNormFisher: the log-likelihood does not depend on ${keys[i]}`);
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
