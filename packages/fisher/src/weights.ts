import * as tf from '@tensorflow/tfjs-core';
import { Module, rawToTypedArray, type RawTensor } from '@tfjs-peft/core';

/** Named float weights, each flat with its shape. */
export type FlatWeights = Map<string, { shape: number[]; values: Float32Array }>;

/**
 * Weights from a checkpoint (`readCheckpointWeights(dir)`), a module (its current parameter
 * values, frozen or not) or a map of tensors, as flat float arrays (read asynchronously, so it works
 * on WebGPU). Integer tensors are skipped.
 */
export async function flatWeights(source: Map<string, RawTensor> | Module | Map<string, tf.Tensor>): Promise<FlatWeights> {
  const out: FlatWeights = new Map();
  if (source instanceof Module) {
    for (const [name, p] of source.namedParameters()) out.set(name, { shape: p.value.shape, values: Float32Array.from(await p.value.data()) });
    return out;
  }
  for (const [name, t] of source) {
    if (t instanceof tf.Tensor) {
      if (t.dtype === 'float32') out.set(name, { shape: t.shape, values: Float32Array.from((await t.data()) as Float32Array) });
    } else if (/^(F|BF)/.test(t.dtype)) {
      out.set(name, { shape: t.shape, values: rawToTypedArray(t, name) as Float32Array });
    }
  }
  return out;
}
