/**
 * pnpm bench:profile -- [--shape mini] [--mode full|LayerNorm-only|LoRA] [--backend wasm] [--top 25] [--frozen-precision float32|bf16]
 *   [--first-token-only off|on] (the model's firstTokenOnly: the last layer for [CLS] only)
 * Per-kernel time of one BERT training step (forward + backward + AdamW) from tf.profile: which
 * kernels, with which shapes, take the step's time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, variableGrads, type BackendChoice } from '@tfjs-peft/core';
import { referenceTrainable } from './bert-shapes';
import { AdamW } from '@tfjs-peft/train';
import { PROFILE_CLI } from './cli';

// `pnpm bench:… -- --flag` hands the script a literal `--`
const { values: a } = PROFILE_CLI.parseOrExit(process.argv.slice(2).filter((x) => x !== '--'));
if (a['first-token-only'] !== 'on' && a['first-token-only'] !== 'off') throw new Error(`--first-token-only: expected on or off, got ${a['first-token-only']}`);
const firstTokenOnly = a['first-token-only'] === 'on';
await initBackend(a.backend as BackendChoice, { frozenMatMulPrecision: a['frozen-precision'] === 'bf16' ? 'bf16' : 'float32' });
const [B, T] = [Number(a.batch), Number(a.seq)];
const model = referenceTrainable(a.shape!, a.mode!);
const ids = tf.randomUniform([B, T], 1000, 30000, 'int32', 1);
const mask = tf.ones([B, T], 'int32');
const labels = tf.randomUniform([B], 0, 2, 'int32', 2);
const params = model.trainableParameters();
const opt = new AdamW(params, { weightDecay: 0.01 });
const step = () => {
  const { value, grads } = variableGrads(
    () => model.forward({ inputIds: ids, attentionMask: mask, labels, firstTokenOnly }).loss as tf.Scalar,
    params.map(([, p]) => p.variable),
  );
  opt.apply(grads, 1e-4);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
step();
step();
const t0 = performance.now();
const info = await tf.profile(step);
const wall = performance.now() - t0;
const byKernel = new Map<string, { ms: number; n: number }>();
const byShape = new Map<string, { ms: number; n: number }>();
let total = 0;
for (const k of info.kernels) {
  const ms = await (k.kernelTimeMs as number | Promise<number | { error: string }>);
  const t = typeof ms === 'number' ? ms : 0;
  total += t;
  const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += t;
  e.n++;
  byKernel.set(k.name, e);
  const key = `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',')}]`).join(' ')} ${k.extraInfo ?? ''}`;
  const f = byShape.get(key) ?? { ms: 0, n: 0 };
  f.ms += t;
  f.n++;
  byShape.set(key, f);
}
console.log(
  `${a.shape} ${a.mode}${firstTokenOnly ? ' (last layer for [CLS] only)' : ''} on ${tf.getBackend()}: wall ${wall.toFixed(0)} ms (profiled), kernel time ${total.toFixed(0)} ms in ${info.kernels.length} kernels, peak ${(info.peakBytes / 2 ** 20).toFixed(1)} MiB`,
);
console.log('\n| kernel | calls | ms | % |\n|---|---|---|---|');
for (const [k, v] of [...byKernel].sort((x, y) => y[1].ms - x[1].ms).slice(0, Number(a.top)))
  console.log(`| ${k} | ${v.n} | ${v.ms.toFixed(1)} | ${((100 * v.ms) / total).toFixed(1)} |`);
console.log('\n| kernel and input shapes | calls | ms | % |\n|---|---|---|---|');
for (const [k, v] of [...byShape].sort((x, y) => y[1].ms - x[1].ms).slice(0, Number(a.top)))
  console.log(`| ${k} | ${v.n} | ${v.ms.toFixed(1)} | ${((100 * v.ms) / total).toFixed(1)} |`);
