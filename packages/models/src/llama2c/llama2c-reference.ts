/**
 * Test reference (not exported): llama2.c's forward pass in float64, written from run.c, on the
 * llama2.c arrays themselves — interleaved-pair RoPE with θ = 10000, RMSNorm eps 1e-5, query head h
 * reading key/value head ⌊h / (n_heads / n_kv_heads)⌋, SwiGLU w2(silu(w1 x) ⊙ w3 x). It knows
 * nothing of the converter or of transformers' layout, so the converted model must match it.
 */
export interface Llama2cModelArrays {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  /** [vocab, dim] */
  tok: Float32Array;
  /** per layer: [dim] */
  rmsAtt: Float32Array[];
  rmsFfn: Float32Array[];
  /** per layer: [dim, dim], [kvDim, dim], [kvDim, dim], [dim, dim] */
  wq: Float32Array[];
  wk: Float32Array[];
  wv: Float32Array[];
  wo: Float32Array[];
  /** per layer: [hidden, dim], [dim, hidden], [hidden, dim] */
  w1: Float32Array[];
  w2: Float32Array[];
  w3: Float32Array[];
  rmsFinal: Float32Array;
  /** null: shared with `tok` */
  wcls: Float32Array | null;
}

/** `W x` for W stored row-major [rows, cols]. */
function matvec(w: ArrayLike<number>, x: Float64Array, rows: number): Float64Array {
  const cols = x.length;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += w[i * cols + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

function rmsnorm(x: Float64Array, w: ArrayLike<number>): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const scale = 1 / Math.sqrt(ss / x.length + 1e-5);
  return x.map((v, i) => w[i]! * scale * v);
}

/** run.c: for i in 0..n step 2, angle = pos / 10000^((i mod head) / head); rotate (v[i], v[i+1]). */
function ropeInterleaved(v: Float64Array, pos: number, headSize: number): void {
  for (let i = 0; i < v.length; i += 2) {
    const angle = pos / Math.pow(10000, (i % headSize) / headSize);
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    const [a, b] = [v[i]!, v[i + 1]!];
    v[i] = a * c - b * s;
    v[i + 1] = a * s + b * c;
  }
}

/** Logits [T][vocab] for `ids`, one position at a time with a key/value cache, as run.c's `forward`. */
export function llama2cForward64(m: Llama2cModelArrays, ids: number[]): Float64Array[] {
  const { dim, hiddenDim, nHeads, nKvHeads, vocabSize } = m;
  const hs = dim / nHeads;
  const kvDim = hs * nKvHeads;
  const kvMul = nHeads / nKvHeads;
  const keys: Float64Array[][] = m.wq.map(() => []);
  const values: Float64Array[][] = m.wq.map(() => []);
  return ids.map((token, pos) => {
    let x = Float64Array.from(m.tok.subarray(token * dim, (token + 1) * dim));
    for (let l = 0; l < m.nLayers; l++) {
      const xb = rmsnorm(x, m.rmsAtt[l]!);
      const q = matvec(m.wq[l]!, xb, dim);
      const k = matvec(m.wk[l]!, xb, kvDim);
      ropeInterleaved(q, pos, hs);
      ropeInterleaved(k, pos, hs);
      keys[l]!.push(k);
      values[l]!.push(matvec(m.wv[l]!, xb, kvDim));
      const att = new Float64Array(dim);
      for (let h = 0; h < nHeads; h++) {
        const g = Math.floor(h / kvMul) * hs;
        const scores = keys[l]!.map((kt) => {
          let s = 0;
          for (let i = 0; i < hs; i++) s += q[h * hs + i]! * kt[g + i]!;
          return s / Math.sqrt(hs);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        values[l]!.forEach((vt, t) => {
          for (let i = 0; i < hs; i++) att[h * hs + i]! += (e[t]! / sum) * vt[g + i]!;
        });
      }
      const o = matvec(m.wo[l]!, att, dim);
      x = x.map((v, i) => v + o[i]!);
      const xf = rmsnorm(x, m.rmsFfn[l]!);
      const h1 = matvec(m.w1[l]!, xf, hiddenDim);
      const h3 = matvec(m.w3[l]!, xf, hiddenDim);
      const hb = h1.map((v, i) => (v / (1 + Math.exp(-v))) * h3[i]!);
      const down = matvec(m.w2[l]!, hb, dim);
      x = x.map((v, i) => v + down[i]!);
    }
    return matvec(m.wcls ?? m.tok, rmsnorm(x, m.rmsFinal), vocabSize);
  });
}
