/**
 * The tour: picks the best backend that starts, runs forward + backward of a BERT layer
 * (hidden 256, 4 heads, FFN 1024; batch 8 × 128 tokens), once with every weight trainable and
 * once LayerNorm-only, and prints backend, step time, tokens/s and tensor memory.
 *   npm run tour -- [--backend auto|wasm|cpu|webgpu|tensorflow] [--steps 5]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, countParameters, measurePeakBytes, formatBytes, manualSeed, releaseNodeWebGPU, type BackendChoice } from '@tfjs-peft/core';
import { cliArgs } from '@tfjs-peft/example-shared/cli';
import { BertLayer } from './bert-layer';
import { TOUR_CLI } from './cli';

const { values } = TOUR_CLI.parseOrExit(cliArgs());
const steps = Number(values.steps);
const [B, T] = [Number(values.batch), Number(values.seq)];

const info = await initBackend(values.backend as BackendChoice);
console.log(`backend: ${info.name} (${info.package})${info.kernels.length ? `; tfjs-peft kernels: ${info.kernels.join(', ')}` : ''}`);
for (const s of info.skipped) console.log(`  skipped ${s.split('\n')[0]}`);

manualSeed(0);
const config = { hidden_size: 256, num_attention_heads: 4, intermediate_size: 1024, layer_norm_eps: 1e-12, hidden_dropout_prob: 0.1 };
const layer = new BertLayer(config);
layer.train();
const x = tf.randomNormal([B, T, config.hidden_size], 0, 1, 'float32', 1);
const mask = tf.tidy(() =>
  tf.cast(tf.less(tf.range(0, T), tf.reshape(tf.tensor1d([T, T - 17, T, T - 60, T, T, T - 3, T].slice(0, B).concat(Array(Math.max(0, B - 8)).fill(T))), [B, 1])), 'int32'),
);

async function step(): Promise<number> {
  const vars = layer.trainableParameters().map(([, p]) => p.variable);
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(layer.forward(x, mask))) as tf.Scalar, vars);
  const loss = (await value.data())[0]!;
  for (const g of Object.values(grads)) await g.data();
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

async function run(mode: string): Promise<void> {
  const counts = countParameters(layer);
  await step(); // warm-up: kernel setup, weight packing
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  let loss = 0;
  let peak = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const r = await measurePeakBytes(step);
    times.push(performance.now() - t0);
    loss = r.result;
    peak = Math.max(peak, r.peakBytes);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${mode.padEnd(15)} trainable ${counts.trainable.toLocaleString('en-US').padStart(9)} of ${counts.total.toLocaleString('en-US')} ` +
      `| fwd+bwd ${median.toFixed(1).padStart(7)} ms | ${Math.round((B * T) / (median / 1000))
        .toLocaleString('en-US')
        .padStart(7)} tokens/s ` +
      `| peak tensor memory ${formatBytes(peak)} | tensors after ${steps} steps: ${tf.memory().numTensors - tensorsBefore >= 0 ? `+${tf.memory().numTensors - tensorsBefore}` : tf.memory().numTensors - tensorsBefore} | loss ${loss.toFixed(4)}`,
  );
}

console.log(`BERT layer, hidden ${config.hidden_size}, ${config.num_attention_heads} heads, FFN ${config.intermediate_size}; batch ${B} × ${T} tokens; median of ${steps} steps`);
await run('full');
layer.freeze((name) => !name.includes('LayerNorm'));
await run('LayerNorm-only');
console.log(`tensor memory now: ${formatBytes(tf.memory().numBytes)} in ${tf.memory().numTensors} tensors`);
layer.dispose();
tf.dispose([x, mask]);
releaseNodeWebGPU();
