import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tfjs-peft/core';
const threads = Number(process.env.T ?? 2);
await initBackend('wasm', { wasmThreads: threads } as never);
const cases: [number[], number[], boolean, boolean][] = [
  [[1024, 256], [1024, 256], true, false],
  [[256, 1024], [1024, 256], false, false],
  [[1024, 256], [256, 256], false, false],
  [[1024, 256], [1024, 1024], true, false],
  [[256, 1024], [1024, 1024], false, false],
  [[1024, 1024], [1024, 256], false, false],
  [[1024, 1024], [256, 1024], false, true],
  [[8, 4, 128, 128], [8, 4, 128, 64], false, false],
  [[8, 4, 128, 64], [8, 4, 128, 64], false, true],
  [[8, 4, 128, 64], [8, 4, 128, 64], true, false],
  [[1024, 1024], [1024, 1024], false, false],
];
for (const [sa, sb, ta, tb] of cases) {
  const a = tf.randomNormal(sa), b = tf.randomNormal(sb);
  const run = () => { const c = tf.matMul(a, b, ta, tb); c.dataSync(); return c; };
  const c0 = run(); const flops = 2 * c0.size * (ta ? sa[sa.length - 2] : sa[sa.length - 1])!; c0.dispose();
  let best = 1e9; for (let i = 0; i < 8; i++) { const t = performance.now(); run().dispose(); best = Math.min(best, performance.now() - t); }
  console.log(`${JSON.stringify(sa)}${ta ? 'T' : ''} x ${JSON.stringify(sb)}${tb ? 'T' : ''}: ${best.toFixed(2)} ms ${(flops / best / 1e6).toFixed(1)} GFLOP/s`);
  tf.dispose([a, b]);
}
