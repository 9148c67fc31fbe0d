import type { Llama2cHeader } from './header';

/** Weight arrays of a llama2.c checkpoint, under run.c's `TransformerWeights` names. */
export type Llama2cWeightName =
  'token_embedding_table' | 'rms_att_weight' | 'wq' | 'wk' | 'wv' | 'wo' | 'rms_ffn_weight' | 'w1' | 'w2' | 'w3' | 'rms_final_weight' | 'freq_cis_real' | 'freq_cis_imag' | 'wcls';

/** One float32 array of the file: its shape (per-layer arrays stacked first) and byte offset. */
export interface Llama2cSection {
  name: Llama2cWeightName;
  shape: number[];
  /** byte offset from the start of the file */
  offset: number;
  /** number of float32 values */
  size: number;
}

/**
 * The order of the float32 arrays in the file, as llama2.c's `export.py` writes them:
 * `legacy_export` (version 0, with the RoPE tables) or `version1_export` (norms first, no tables).
 * The classifier `wcls` comes last, only when it is not shared with the token embedding.
 */
export function llama2cLayout(h: Llama2cHeader): Llama2cSection[] {
  const { dim, hiddenDim: hidden, nLayers: L, vocabSize: V, seqLen } = h;
  const kvDim = (dim * h.nKvHeads) / h.nHeads;
  const half = dim / h.nHeads / 2;
  const shapes: Record<Llama2cWeightName, number[]> = {
    token_embedding_table: [V, dim],
    rms_att_weight: [L, dim],
    wq: [L, dim, dim],
    wk: [L, kvDim, dim],
    wv: [L, kvDim, dim],
    wo: [L, dim, dim],
    rms_ffn_weight: [L, dim],
    w1: [L, hidden, dim],
    w2: [L, dim, hidden],
    w3: [L, hidden, dim],
    rms_final_weight: [dim],
    freq_cis_real: [seqLen, half],
    freq_cis_imag: [seqLen, half],
    wcls: [V, dim],
  };
  const order: Llama2cWeightName[] =
    h.version === 0
      ? ['token_embedding_table', 'rms_att_weight', 'wq', 'wk', 'wv', 'wo', 'rms_ffn_weight', 'w1', 'w2', 'w3', 'rms_final_weight', 'freq_cis_real', 'freq_cis_imag']
      : ['rms_att_weight', 'rms_ffn_weight', 'rms_final_weight', 'token_embedding_table', 'wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3'];
  if (!h.sharedClassifier) order.push('wcls');
  let offset = h.headerBytes;
  return order.map((name) => {
    const shape = shapes[name];
    const size = shape.reduce((a, b) => a * b, 1);
    const section = { name, shape, offset, size };
    offset += 4 * size;
    return section;
  });
}

/** The exact size in bytes of a file with this header: the header and every array of `llama2cLayout`. */
export function llama2cFileBytes(h: Llama2cHeader): number {
  const last = llama2cLayout(h).at(-1)!;
  return last.offset + 4 * last.size;
}
