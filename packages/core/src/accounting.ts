import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module/module';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: 0 };

export interface ParameterCounts {
  trainable: number;
  frozen: number;
  total: number;
  trainableBytes: number;
  frozenBytes: number;
  /** trainable / total × 100 */
  trainablePercent: number;
}

/** Trainable and frozen parameter counts and bytes (shared parameters counted once). */
export function countParameters(module: Module): ParameterCounts {
  let trainable = 0;
  let frozen = 0;
  let trainableBytes = 0;
  let frozenBytes = 0;
  for (const [, p] of module.namedParameters()) {
    const bytes = p.size * (BYTES[p.dtype] ?? 4);
    if (p.requiresGrad) {
      trainable += p.size;
      trainableBytes += bytes;
    } else {
      frozen += p.size;
      frozenBytes += bytes;
    }
  }
  const total = trainable + frozen;
  return { trainable, frozen, total, trainableBytes, frozenBytes, trainablePercent: total ? (100 * trainable) / total : 0 };
}

export interface PeakMemory<T> {
  result: T;
  /** the highest tensor memory while `fn` ran, in bytes, counting tensors that existed before */
  peakBytes: number;
  /** tensor bytes still allocated after `fn` that were not before (its results, or a leak) */
  newBytes: number;
  newTensors: number;
  /** tensor memory when `fn` started */
  startBytes: number;
}

/**
 * Runs `fn` and reports the peak tensor memory it reached, measured by the tfjs engine on any
 * backend (`tf.profile`). Tensors returned by `fn` are the caller's to dispose.
 */
export async function measurePeakBytes<T>(fn: () => T | Promise<T>): Promise<PeakMemory<T>> {
  const startBytes = tf.memory().numBytes;
  let result!: T;
  const info = await tf.profile(async () => {
    result = await fn();
    return result as unknown as tf.TensorContainer;
  });
  return { result, peakBytes: info.peakBytes, newBytes: info.newBytes, newTensors: info.newTensors, startBytes };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}
