/**
 * Test helpers (not exported): tiny random llama2.c models, and their `.bin` packed and unpacked
 * in the order llama2.c's export.py writes (`legacy_export`: version 0, `version1_export`:
 * version 1), spelled out here again rather than taken from `layout.ts`, so an ordering mistake in
 * the converter cannot cancel out.
 */
import type { Llama2cModelArrays } from './llama2c-reference';

export interface Llama2cShape {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
}

/** mulberry32 + Box–Muller: deterministic normal samples. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A random model: weights N(0, 0.4²), norm weights 1 + N(0, 0.2²) so none is at its default. */
export function randomLlama2c(shape: Llama2cShape, shared: boolean, seed = 1): Llama2cModelArrays {
  const n = normals(seed);
  const arr = (size: number, base = 0, std = 0.4) => Float32Array.from({ length: size }, () => base + std * n());
  const { dim, hiddenDim: hid, nLayers: L, vocabSize: V } = shape;
  const kvDim = (dim / shape.nHeads) * shape.nKvHeads;
  const perLayer = (size: number, base = 0, std = 0.4) => Array.from({ length: L }, () => arr(size, base, std));
  return {
    ...shape,
    tok: arr(V * dim),
    rmsAtt: perLayer(dim, 1, 0.2),
    rmsFfn: perLayer(dim, 1, 0.2),
    wq: perLayer(dim * dim),
    wk: perLayer(kvDim * dim),
    wv: perLayer(kvDim * dim),
    wo: perLayer(dim * dim),
    w1: perLayer(hid * dim),
    w2: perLayer(dim * hid),
    w3: perLayer(hid * dim),
    rmsFinal: arr(dim, 1, 0.2),
    wcls: shared ? null : arr(V * dim),
  };
}

const concat = (parts: (Float32Array | Int32Array | Uint8Array)[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), pos);
    pos += p.byteLength;
  }
  return out;
};

/** model.py's `precompute_freqs_cis` tables [seqLen, head/2] (cos, sin), as version 0 stores them. */
function ropeTables(m: Llama2cShape): [Float32Array, Float32Array] {
  const half = m.dim / m.nHeads / 2;
  const angle = (i: number) => Math.floor(i / half) * Math.pow(10000, -(i % half) / half);
  return [Float32Array.from({ length: m.seqLen * half }, (_, i) => Math.cos(angle(i))), Float32Array.from({ length: m.seqLen * half }, (_, i) => Math.sin(angle(i)))];
}

/** The bytes of a llama2.c `.bin` (little-endian) for `m`, version 0 or 1. */
export function packLlama2c(m: Llama2cModelArrays, version: 0 | 1): Uint8Array {
  const shared = m.wcls === null;
  const dims = [m.dim, m.hiddenDim, m.nLayers, m.nHeads, m.nKvHeads, m.vocabSize, m.seqLen];
  const tail = shared ? [] : [m.wcls!];
  if (version === 0) {
    const header = Int32Array.from(dims.map((v, i) => (i === 5 && !shared ? -v : v)));
    const [real, imag] = ropeTables(m);
    return concat([header, m.tok, ...m.rmsAtt, ...m.wq, ...m.wk, ...m.wv, ...m.wo, ...m.rmsFfn, ...m.w1, ...m.w2, ...m.w3, m.rmsFinal, real, imag, ...tail]);
  }
  const header = new Uint8Array(256);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x616b3432, true);
  view.setInt32(4, 1, true);
  dims.forEach((v, i) => view.setInt32(8 + 4 * i, v, true));
  header[36] = shared ? 1 : 0;
  return concat([header, ...m.rmsAtt, ...m.rmsFfn, m.rmsFinal, m.tok, ...m.wq, ...m.wk, ...m.wv, ...m.wo, ...m.w1, ...m.w2, ...m.w3, ...tail]);
}

/** Reads a version-0 `.bin` as run.c's `memory_map_weights` does (for the float64 reference on a real checkpoint). */
export function unpackLlama2cV0(bytes: Uint8Array): Llama2cModelArrays {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabField, seqLen] = Array.from({ length: 7 }, (_, i) => view.getInt32(4 * i, true)) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const vocabSize = Math.abs(vocabField);
  const kvDim = (dim / nHeads) * nKvHeads;
  const floats = new Float32Array(bytes.slice(28).buffer);
  let pos = 0;
  const take = (size: number) => floats.subarray(pos, (pos += size));
  const layers = (size: number) => Array.from({ length: nLayers }, () => take(size));
  const m: Llama2cModelArrays = {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize,
    seqLen,
    tok: take(vocabSize * dim),
    rmsAtt: layers(dim),
    wq: layers(dim * dim),
    wk: layers(kvDim * dim),
    wv: layers(kvDim * dim),
    wo: layers(dim * dim),
    rmsFfn: layers(dim),
    w1: layers(hiddenDim * dim),
    w2: layers(dim * hiddenDim),
    w3: layers(hiddenDim * dim),
    rmsFinal: take(dim),
    wcls: null,
  };
  take((seqLen * dim) / nHeads); // freq_cis_real and freq_cis_imag: run.c recomputes them
  if (vocabField < 0) m.wcls = take(vocabSize * dim);
  if (pos !== floats.length) throw new Error(`unpackLlama2cV0: ${floats.length - pos} floats left over`);
  return m;
}
