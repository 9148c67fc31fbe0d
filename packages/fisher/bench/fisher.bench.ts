/**
 * LayerNorm Fisher: the batched per-example pass against the explicit per-example loop (the
 * reference), on a BERT of the embedded checkpoint's shape (2 layers, hidden 128, vocabulary 30522),
 * batch 16 × 64 tokens. Prints examples/s, peak tensor memory and the speed-up, same run.
 *   pnpm --filter @tfjs-peft/fisher bench [-- --backend wasm --batches 4]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { initBackend, manualSeed, measurePeakBytes, formatBytes, type BackendChoice } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { layerNormFisher, perExampleFisher } from '../src/index';

const { values: a } = parseArgs({
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    backend: { type: 'string', default: 'wasm' },
    batches: { type: 'string', default: '4' },
    batch: { type: 'string', default: '16' },
    seq: { type: 'string', default: '64' },
  },
});
const info = await initBackend(a.backend as BackendChoice);
manualSeed(0);
const model = new BertForSequenceClassification({
  model_type: 'bert',
  vocab_size: 30522,
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 512,
  max_position_embeddings: 512,
  num_labels: 2,
});
const [B, T, nb] = [Number(a.batch), Number(a.seq), Number(a.batches)];
const batches = Array.from({ length: nb }, (_, i) => ({
  inputIds: tf.randomUniform([B, T], 1000, 30000, 'int32', i) as tf.Tensor2D,
  attentionMask: tf.ones([B, T], 'int32') as tf.Tensor2D,
  labels: Array.from({ length: B }, (_, j) => (i + j) % 2),
}));
const opts = { forward: (b: (typeof batches)[0]) => model.forward({ inputIds: b.inputIds, attentionMask: b.attentionMask }).logits, labels: (b: (typeof batches)[0]) => b.labels };
console.log(`backend ${info.name}; BERT 2 × 128, ${nb} batches of ${B} × ${T} tokens (${nb * B} examples)`);
await layerNormFisher(model, batches.slice(0, 1), opts); // warm-up
let t0 = performance.now();
const fast = await measurePeakBytes(() => layerNormFisher(model, batches, opts));
const fastMs = performance.now() - t0;
t0 = performance.now();
// the reference loop on single-example batches (each row of the first batch on its own): one forward + backward per example
const singles = Array.from({ length: B }, (_, j) => ({
  inputIds: tf.slice(batches[0]!.inputIds, [j, 0], [1, T]) as tf.Tensor2D,
  attentionMask: tf.slice(batches[0]!.attentionMask, [j, 0], [1, T]) as tf.Tensor2D,
  labels: [batches[0]!.labels[j]!],
}));
t0 = performance.now();
const slow = await measurePeakBytes(() => perExampleFisher(model, singles, { ...opts, params: (n) => /LayerNorm\.(weight|bias)$/.test(n) }));
const slowMs = (performance.now() - t0) * nb; // B examples timed, scaled to all nb · B
const perEx = (ms: number) => ((nb * B) / ms) * 1000;
console.log(`| method | examples/s | ms per example | peak tensor memory |`);
console.log(`|---|---|---|---|`);
console.log(`| batched per-example pass (layerNormFisher) | ${perEx(fastMs).toFixed(1)} | ${(fastMs / (nb * B)).toFixed(1)} | ${formatBytes(fast.peakBytes)} |`);
console.log(`| explicit per-example loop (perExampleFisher) | ${perEx(slowMs).toFixed(1)} | ${(slowMs / (nb * B)).toFixed(1)} | ${formatBytes(slow.peakBytes)} |`);
console.log(`speed-up of the batched pass: ${(slowMs / fastMs).toFixed(1)}× (the loop timed on one batch's examples, one at a time, and scaled)`);
void fast.result;
void slow.result;
