import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tfjs-peft/core';
import { referenceBert } from './bert-shapes';
await initBackend('wasm');
const model = referenceBert(process.env.SHAPE ?? 'mini');
model.train();
if (process.env.MODE === 'ln') model.freeze((n) => !n.includes('LayerNorm') && !n.startsWith('classifier.'));
const ids = tf.randomUniform([8, 128], 1000, 30000, 'int32', 1);
const mask = tf.ones([8, 128], 'int32');
const labels = tf.randomUniform([8], 0, 2, 'int32', 2);
const base = tf.memory().numBytes;
const e = tf.engine() as any;
const y = e.scopedRun(() => e.startTape(), () => e.endTape(), () => e.tidy('forward', () => model.forward({ inputIds: ids, attentionMask: mask, labels }).loss));
console.log('after forward +', ((tf.memory().numBytes - base) / 2 ** 20).toFixed(1), 'MiB, nodes', e.state.activeTape.length);
const seen = new Set<object>(); const by = new Map<string, number>();
for (const n of e.state.activeTape) for (const t of n.saved ?? []) { if (seen.has(t.dataId)) continue; seen.add(t.dataId); const k = n.kernelName + ' ' + JSON.stringify(t.shape); by.set(k, (by.get(k) ?? 0) + t.size * 4); }
let tot = 0; for (const [k, v] of [...by].sort((a, b) => b[1] - a[1])) { tot += v; if (v > 2e5) console.log(k, (v / 2 ** 20).toFixed(1)); }
console.log('saved total', (tot / 2 ** 20).toFixed(1));
for (const n of e.state.activeTape) for (const t of n.saved ?? []) t.dispose();
console.log('after disposing saved +', ((tf.memory().numBytes - base) / 2 ** 20).toFixed(1), 'MiB', tf.memory().numTensors);
const kinds = new Map<string, number>();
for (const n of e.state.activeTape) for (const t of n.outputs) if (!t.isDisposed) { const k = n.kernelName + JSON.stringify(t.shape); kinds.set(k, (kinds.get(k) ?? 0) + t.size * 4); }
for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log('live output', k, (v / 2 ** 20).toFixed(2));
