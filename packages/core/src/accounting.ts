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
  /**
   * The highest memory held by tensor buffers while `fn` ran, in bytes, counting buffers that
   * existed before. Each buffer counts once: tfjs's own `numBytes` counts every tensor, so views
   * that share a buffer (reshapes, the clones the gradient tape keeps) would be counted again.
   */
  peakBytes: number;
  /** tensor memory when `fn` started (tfjs's count; exact when no two live tensors share a buffer, as between steps) */
  startBytes: number;
  /** tensor buffer bytes still held after `fn` that were not before (its results, or a leak) */
  newBytes: number;
  newTensors: number;
}

type Registry = WeakMap<object, { bytes: number }>;

/**
 * Runs `fn` and reports the peak tensor-buffer memory it reached, on any backend. It watches the
 * engine's buffer registry (allocations and frees of buffers, not of tensor views) for the duration of the call (no profiler, so no timing overhead).
 * Tensors returned by `fn` are the caller's to dispose.
 */
export async function measurePeakBytes<T>(fn: () => T | Promise<T>): Promise<PeakMemory<T>> {
  const registry = (tf.engine() as unknown as { state: { tensorInfo: Registry } }).state.tensorInfo;
  const startBytes = tf.memory().numBytes;
  const startTensors = tf.memory().numTensors;
  let live = startBytes;
  let peak = startBytes;
  const set = registry.set;
  const del = registry.delete;
  registry.set = function (this: Registry, key, value) {
    if (!this.has(key)) {
      live += value.bytes;
      if (live > peak) peak = live;
    }
    return set.call(this, key, value);
  };
  registry.delete = function (this: Registry, key) {
    const info = this.get(key);
    if (info) live -= info.bytes;
    return del.call(this, key);
  };
  let result: T;
  try {
    result = await fn();
  } finally {
    // restore the Map's own methods
    delete (registry as unknown as Record<string, unknown>).set;
    delete (registry as unknown as Record<string, unknown>).delete;
  }
  return { result, peakBytes: peak, startBytes, newBytes: live - startBytes, newTensors: tf.memory().numTensors - startTensors };
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
