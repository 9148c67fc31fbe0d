import * as tf from '@tensorflow/tfjs-core';
import { StateDictError } from '../errors';
import type { Module } from '../module/module';
import type { Parameter } from '../module/parameter';
import { DTYPE_BYTES } from './dtypes';
import { rawToTypedArray, type RawTensor } from './safetensors';

/** The module's parameters by Hugging Face name (the live variables, not copies). */
export function stateDict(module: Module): Map<string, tf.Tensor> {
  return new Map(module.namedParameters().map(([name, p]) => [name, p.value as tf.Tensor]));
}

function isRaw(t: tf.Tensor | RawTensor): t is RawTensor {
  return (t as RawTensor).bytes instanceof Uint8Array;
}

/** Everything that could make an assignment fail, checked without making a tensor. */
function checkAssignable(p: Parameter, t: tf.Tensor | RawTensor, key: string): void {
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new StateDictError(`${key} expected [${p.shape.join(',')}], got [${t.shape.join(',')}]`, [], [], [{ key, expected: [...p.shape], received: [...t.shape] }]);
  }
  if (!isRaw(t)) {
    if (t.isDisposed) throw new StateDictError(`${key}: the tensor given for it is disposed`, [], [], []);
    return;
  }
  const size = (DTYPE_BYTES as Record<string, number>)[t.dtype];
  const need = t.shape.reduce((a, b) => a * b, 1) * (size ?? NaN);
  if (t.bytes.byteLength !== need) {
    throw new StateDictError(`${key}: ${t.bytes.byteLength} bytes of ${t.dtype} data, but shape [${t.shape.join(',')}] needs ${need}`, [], [], []);
  }
  if (t.dtype === 'I64') {
    const le = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
    for (let i = 0; i < t.bytes.byteLength / 8; i++) {
      const v = le.getBigInt64(8 * i, true);
      if (v > 2147483647n || v < -2147483648n) {
        throw new RangeError(`${key}: I64 value ${v} at index ${i} does not fit in int32, the widest integer tfjs has`);
      }
    }
  }
}

export interface LoadStateDictOptions {
  /** Missing or unexpected keys are an error (default true). Mis-shaped keys always are. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missing: string[];
  unexpected: string[];
  loaded: number;
}

/**
 * Copies tensors into the module's parameters by name. Checks everything before changing
 * anything, and reports all problems in one `StateDictError`: missing keys, unexpected keys
 * and shape mismatches (`name expected [a,b], got [c,d]`). Values from safetensors (`RawTensor`)
 * are validated first (no tensor is made), then converted one at a time, so a checkpoint never
 * needs two full copies in tensor memory.
 */
export function loadStateDict(module: Module, tensors: Map<string, tf.Tensor | RawTensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
  const strict = options.strict ?? true;
  const params = new Map(module.namedParameters());
  const missing = [...params.keys()].filter((k) => !tensors.has(k));
  const unexpected = [...tensors.keys()].filter((k) => !params.has(k));
  const mismatched: { key: string; expected: number[]; received: number[] }[] = [];
  for (const [key, t] of tensors) {
    const p = params.get(key);
    if (p && (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i]))) {
      mismatched.push({ key, expected: p.shape, received: [...t.shape] });
    }
  }
  if (mismatched.length || (strict && (missing.length || unexpected.length))) {
    const lines: string[] = [];
    if (missing.length) lines.push(`missing keys (${missing.length}): ${missing.join(', ')}`);
    if (unexpected.length) lines.push(`unexpected keys (${unexpected.length}): ${unexpected.join(', ')}`);
    for (const m of mismatched) lines.push(`${m.key} expected [${m.expected.join(',')}], got [${m.received.join(',')}]`);
    throw new StateDictError(`error loading state dict into ${module.constructor.name}:\n  ${lines.join('\n  ')}`, strict ? missing : [], strict ? unexpected : [], mismatched);
  }
  // Validate every value before assigning any, so a bad entry late in the dict (an I64 beyond
  // int32, bytes that do not match the shape, a disposed tensor) leaves every parameter as it
  // was. Validation makes no tensors; values are then converted and assigned one at a time.
  for (const [key, t] of tensors) {
    const p = params.get(key);
    if (p) checkAssignable(p, t, key);
  }
  let loaded = 0;
  for (const [key, t] of tensors) {
    const p = params.get(key);
    if (!p) continue;
    if (isRaw(t)) {
      const values = rawToTypedArray(t, key);
      const tmp = tf.tensor(values, t.shape, t.dtype === 'BOOL' ? 'bool' : values instanceof Float32Array ? 'float32' : 'int32');
      try {
        p.assign(tmp, key);
      } finally {
        tmp.dispose();
      }
    } else {
      p.assign(t, key);
    }
    loaded++;
  }
  return { missing, unexpected, loaded };
}
