/**
 * pnpm bench:ops — forward and forward+backward time per op and backend at BERT-base shapes,
 * plain tfjs (tfjs-core ops, autodiff, the backend's own kernels) beside tfjs-peft's ops.
 *   --backends wasm,cpu   (default wasm,cpu; add webgpu for a GPU)   --reps 5
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { loadBackend, linear, layerNorm, gelu, attention, crossEntropy, releaseNodeWebGPU, type BackendName } from '@tfjs-peft/ops';
import { setTransposedMatMulFastPath, setSharedIdentity } from '@tfjs-peft/ops/kernels';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((x) => x !== '--'), // pnpm passes a literal -- through
  options: { backends: { type: 'string', default: 'wasm,cpu' }, reps: { type: 'string', default: '5' } },
});
const REPS = Number(args.reps);

async function sync(t: tf.Tensor | tf.Tensor[]): Promise<void> {
  for (const x of Array.isArray(t) ? t : [t]) await x.data();
}

/** Median wall time (ms) of `fn` over REPS runs after one warm-up; all tensors it makes are freed. */
async function time(fn: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i <= REPS; i++) {
    const t0 = performance.now();
    const out = fn();
    await sync(out);
    const dt = performance.now() - t0;
    tf.dispose(out);
    if (i > 0) runs.push(dt);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)]!;
}

const fwdBwd = (f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]) => () => tf.grads((...a: tf.Tensor[]) => tf.sum(f(...a)))(xs);

// plain tfjs compositions, the way one writes them without tfjs-peft
const plain = {
  layerNorm: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-12))), g), b);
  },
  gelu: (x: tf.Tensor) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
  crossEntropy: (z: tf.Tensor, y: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, z.shape[1]!), z),
};

interface Row {
  backend: string;
  op: string;
  shape: string;
  plainFwd: number;
  plainFb: number;
  oursFwd: number;
  oursFb: number;
  note?: string;
}

async function benchBackend(backend: BackendName): Promise<Row[]> {
  await loadBackend(backend);
  const rows: Row[] = [];
  // 'plain' runs with the backend's own kernels: no transpose/batched fast path, copying Identity
  const fast = (on: boolean) => backend === 'wasm' && setTransposedMatMulFastPath('wasm', on) === on && setSharedIdentity('wasm', on) === on;
  const both = async (
    op: string,
    shape: string,
    plainF: () => tf.Tensor | tf.Tensor[],
    plainB: () => tf.Tensor | tf.Tensor[],
    oursF: () => tf.Tensor | tf.Tensor[],
    oursB: () => tf.Tensor | tf.Tensor[],
    note?: string,
  ) => {
    fast(false);
    const plainFwd = await time(plainF);
    const plainFb = await time(plainB);
    fast(true);
    const oursFwd = await time(oursF);
    const oursFb = await time(oursB);
    const row = { backend, op, shape, plainFwd, plainFb, oursFwd, oursFb, note };
    rows.push(row);
    console.log(fmtRow(row));
  };

  // matmul 1024×768 · 768×768, plain and each operand transposed (forward; these are the backward's matmuls)
  const [m, k, n] = [1024, 768, 768];
  const a = tf.randomNormal([m, k]);
  const aT = tf.randomNormal([k, m]);
  const b = tf.randomNormal([k, n]);
  const bT = tf.randomNormal([n, k]);
  const gf = (ms: number) => ((2 * m * k * n) / ms / 1e6).toFixed(1);
  for (const [label, x, y, ta, tb] of [
    ['matMul a·b', a, b, false, false],
    ['matMul aᵀ·b', aT, b, true, false],
    ['matMul a·bᵀ', a, bT, false, true],
  ] as const) {
    const f = () => tf.matMul(x, y, ta, tb);
    fast(false);
    const before = await time(f);
    fast(true);
    const after = await time(f);
    const row = { backend, op: label, shape: `${m}×${k}×${n}`, plainFwd: before, plainFb: NaN, oursFwd: after, oursFb: NaN, note: `${gf(before)} → ${gf(after)} GFLOP/s` };
    rows.push(row);
    console.log(fmtRow(row));
  }
  // linear: forward + backward (x·Wᵀ + b, both gradients)
  const w = tf.randomNormal([n, k]);
  const bias = tf.randomNormal([n]);
  const linF = (x: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => linear(x, ww, bb);
  await both(
    'linear',
    `[${m},${k}]→${n}`,
    () => linF(a, w, bias),
    fwdBwd(linF, [a, w, bias]),
    () => linF(a, w, bias),
    fwdBwd(linF, [a, w, bias]),
  );

  const x = tf.randomNormal([8, 128, 768]);
  const g = tf.randomNormal([768]);
  const beta = tf.randomNormal([768]);
  await both(
    'layerNorm',
    '[8,128,768]',
    () => plain.layerNorm(x, g, beta),
    fwdBwd(plain.layerNorm, [x, g, beta]),
    () => layerNorm(x, g, beta, 1e-12),
    fwdBwd((p, q, r) => layerNorm(p, q, r, 1e-12), [x, g, beta]),
  );
  const h = tf.randomNormal([8, 128, 3072]);
  await both(
    'gelu',
    '[8,128,3072]',
    () => plain.gelu(h),
    fwdBwd(plain.gelu, [h]),
    () => gelu(h),
    fwdBwd((t) => gelu(t), [h]),
  );
  const q = tf.randomNormal([8, 12, 128, 64]);
  const kk = tf.randomNormal([8, 12, 128, 64]);
  const v = tf.randomNormal([8, 12, 128, 64]);
  const mask = tf.ones([8, 128], 'int32');
  const att = (qq: tf.Tensor, k2: tf.Tensor, vv: tf.Tensor) => attention(qq, k2, vv, { mask });
  await both(
    'attention',
    'B8 H12 T128 D64',
    () => att(q, kk, v),
    fwdBwd(att, [q, kk, v]),
    () => att(q, kk, v),
    fwdBwd(att, [q, kk, v]),
    "same composition; plain = the backend's own kernels",
  );
  const z = tf.randomNormal([1024, 30522]);
  const labels = tf.randomUniform([1024], 0, 30522, 'int32');
  await both(
    'crossEntropy',
    '[1024,30522]',
    () => plain.crossEntropy(z, labels),
    fwdBwd((t) => plain.crossEntropy(t, labels), [z]),
    () => crossEntropy(z, labels),
    fwdBwd((t) => crossEntropy(t, labels), [z]),
  );
  tf.dispose([a, aT, b, bT, w, bias, x, g, beta, h, q, kk, v, mask, z, labels]);
  return rows;
}

const f = (ms: number) => (Number.isNaN(ms) ? '–' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const ratio = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? '–' : `${(a / b).toFixed(2)}×`);
function fmtRow(r: Row): string {
  return `| ${r.backend} | ${r.op} | ${r.shape} | ${f(r.plainFwd)} | ${f(r.oursFwd)} | ${ratio(r.plainFwd, r.oursFwd)} | ${f(r.plainFb)} | ${f(r.oursFb)} | ${ratio(r.plainFb, r.oursFb)} | ${r.note ?? ''} |`;
}

console.log(`tfjs-peft bench:ops — median of ${REPS} runs after a warm-up, ms (tfjs ${tf.version_core}, Node ${process.version})`);
console.log('| backend | op | shape | plain fwd | ours fwd | speed-up | plain fwd+bwd | ours fwd+bwd | speed-up | note |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
const all: Row[] = [];
for (const b of args.backends!.split(',')) all.push(...(await benchBackend(b.trim() as BackendName)));
const wasm = all.filter((r) => r.backend === 'wasm');
const plainMm = wasm.find((r) => r.op === 'matMul a·b');
if (plainMm) {
  console.log('\nwasm: transposed matmul (as in backward passes) relative to the plain matmul of the same size (target ≤ 1.5×):');
  for (const r of wasm.filter((x) => x.op.startsWith('matMul') && x.op !== 'matMul a·b')) {
    console.log(`  ${r.op}: tfjs ${ratio(r.plainFwd, plainMm.oursFwd)} → tfjs-peft ${ratio(r.oursFwd, plainMm.oursFwd)}`);
  }
}
releaseNodeWebGPU();
