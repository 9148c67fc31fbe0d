/**
 * The row permutation of a query or key projection between the two RoPE conventions.
 *
 * llama2.c (and Meta's original Llama code) rotates adjacent pairs of each head, (x[2j], x[2j+1]),
 * as complex numbers; transformers' `rotate_half` rotates (x[j], x[j + d/2]). transformers'
 * `convert_llama_weights_to_hf.py` therefore reorders the output rows of wq and wk per head:
 *
 *     permute(w, n_heads, dim1, dim2) = w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)
 *
 * i.e. Hugging Face row `h·d + s·d/2 + j` is llama2.c row `h·d + 2j + s` (d the head size, s ∈ {0, 1}).
 * llama2.c's `export.py` undoes it with `permute_reverse` (`view(n_heads, 2, d/2, dim2).transpose(1, 2)`).
 */
export function interleavedToHalfRotary(w: Float32Array, nHeads: number, rows: number, cols: number): Float32Array {
  return permuteRows(w, nHeads, rows, cols, (h, d, s, j) => [h * d + s * (d / 2) + j, h * d + 2 * j + s]);
}

/** The inverse of `interleavedToHalfRotary` (llama2.c's `permute_reverse`): Hugging Face rows back to interleaved pairs. */
export function halfToInterleavedRotary(w: Float32Array, nHeads: number, rows: number, cols: number): Float32Array {
  return permuteRows(w, nHeads, rows, cols, (h, d, s, j) => [h * d + 2 * j + s, h * d + s * (d / 2) + j]);
}

function permuteRows(w: Float32Array, nHeads: number, rows: number, cols: number, map: (h: number, d: number, s: number, j: number) => [number, number]): Float32Array {
  if (w.length !== rows * cols) throw new RangeError(`rotary permutation: ${w.length} values, expected rows ${rows} × cols ${cols}`);
  const d = rows / nHeads;
  if (!Number.isInteger(d) || d % 2 !== 0) throw new RangeError(`rotary permutation: rows ${rows} / heads ${nHeads} expected an even head size`);
  const out = new Float32Array(w.length);
  for (let h = 0; h < nHeads; h++)
    for (let s = 0; s < 2; s++)
      for (let j = 0; j < d / 2; j++) {
        const [to, from] = map(h, d, s, j);
        out.set(w.subarray(from * cols, (from + 1) * cols), to * cols);
      }
  return out;
}
