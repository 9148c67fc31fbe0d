import * as tf from '@tensorflow/tfjs-core';
import { DTYPE_BYTES, floatToBf16, floatToHalf, type SafetensorsDtype } from './dtypes';
import type { RawTensor } from './safetensors';

export interface SerializeOptions {
  metadata?: Record<string, string>;
  /** Storage type of float32 tensors (default F32). */
  floatDtype?: 'F32' | 'F16' | 'BF16';
}

/** Converts a tfjs tensor to stored bytes (float32 → F32/F16/BF16, int32 → I64 as HF writes ids, bool → BOOL). */
export async function tensorToRaw(t: tf.Tensor, floatDtype: 'F32' | 'F16' | 'BF16' = 'F32', intDtype: 'I32' | 'I64' = 'I32'): Promise<RawTensor> {
  const values = await t.data();
  const shape = [...t.shape];
  if (t.dtype === 'float32') {
    if (floatDtype === 'F32') {
      const f = Float32Array.from(values as Float32Array);
      return { dtype: 'F32', shape, bytes: new Uint8Array(f.buffer) };
    }
    const out = new Uint16Array(values.length);
    const conv = floatDtype === 'F16' ? floatToHalf : floatToBf16;
    for (let i = 0; i < values.length; i++) out[i] = conv(values[i] as number);
    return { dtype: floatDtype, shape, bytes: new Uint8Array(out.buffer) };
  }
  if (t.dtype === 'int32') {
    if (intDtype === 'I64') {
      const out = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i] as number);
      return { dtype: 'I64', shape, bytes: new Uint8Array(out.buffer) };
    }
    return { dtype: 'I32', shape, bytes: new Uint8Array(Int32Array.from(values as Int32Array).buffer) };
  }
  if (t.dtype === 'bool') return { dtype: 'BOOL', shape, bytes: Uint8Array.from(values as Uint8Array) };
  throw new TypeError(`cannot store a tensor of dtype ${t.dtype} in safetensors`);
}

/**
 * Serialises tensors into safetensors bytes: 8-byte little-endian header length, a JSON header
 * padded with spaces to a multiple of 8, then the data. Tensors are laid out by dtype size
 * (largest first) then name, so every tensor is aligned to its element size.
 */
export function serializeSafetensors(tensors: Map<string, RawTensor> | Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  entries.sort(([na, a], [nb, b]) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (na < nb ? -1 : na > nb ? 1 : 0));
  // no prototype: a tensor named "__proto__" is an own key (and written), not a prototype change
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new TypeError('"__metadata__" is reserved and cannot name a tensor');
    const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype as SafetensorsDtype];
    if (t.bytes.byteLength !== expected) {
      throw new RangeError(`${name}: ${t.bytes.byteLength} bytes, but shape [${t.shape.join(',')}] × ${t.dtype} needs ${expected}`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let pos = 8 + json.byteLength;
  for (const [, t] of entries) {
    out.set(t.bytes, pos);
    pos += t.bytes.byteLength;
  }
  return out;
}
