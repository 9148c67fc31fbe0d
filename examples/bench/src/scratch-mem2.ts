import * as tf from '@tensorflow/tfjs-core';
import { initBackend, variableGrads, setLowMemoryBackprop } from '@tfjs-peft/core';
import { referenceBert } from './bert-shapes';
await initBackend('wasm');
const mode = process.env.MODE ?? 'full';
const model = referenceBert(process.env.SHAPE ?? 'mini');
if (process.env.EVAL) model.eval(); else model.train();
if (mode === 'ln') model.freeze((n) => !n.includes('LayerNorm') && !n.startsWith('classifier.'));
const ids = tf.randomUniform([8, 128], 1000, 30000, 'int32', 1);
const mask = tf.ones([8, 128], 'int32');
const labels = tf.randomUniform([8], 0, 2, 'int32', 2);
const params = model.trainableParameters();
const MiB = (b: number) => (b / 2 ** 20).toFixed(1);
const base = tf.memory().numBytes;
const out: Record<string, Float32Array>[] = [];
for (const low of [false, true, true]) {
  setLowMemoryBackprop(low);
  const n0 = tf.memory().numTensors;
  let res: Record<string, Float32Array> = {};
  const t = performance.now();
  const r = await tf.profile(() => {
    const { value, grads } = variableGrads(() => model.forward({ inputIds: ids, attentionMask: mask, labels }).loss as tf.Scalar, params.map(([, p]) => p.variable));
    for (const [k, g] of Object.entries(grads)) res[k] = g!.dataSync() as Float32Array;
    tf.dispose([value, ...Object.values(grads)]);
  });
  out.push(res);
  console.log(`${mode} low=${low}: peak +${MiB(r.peakBytes - base)} MiB, ${(performance.now() - t).toFixed(0)} ms, tensors ${n0} -> ${tf.memory().numTensors}`);
}
let maxd = 0; for (const k of Object.keys(out[0]!)) { const a = out[0]![k]!, b = out[1]![k]!; for (let i = 0; i < a.length; i++) maxd = Math.max(maxd, Math.abs(a[i]! - b[i]!)); }
console.log('max |diff|', maxd, Object.keys(out[0]!).length, Object.keys(out[1]!).length);
