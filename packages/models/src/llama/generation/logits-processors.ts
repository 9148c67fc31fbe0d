/**
 * transformers' logits processors on one row of scores (float32, in place), as `generate` applies
 * them: `RepetitionPenaltyLogitsProcessor`, then, when sampling, `TemperatureLogitsWarper`,
 * `TopKLogitsWarper`, `TopPLogitsWarper` (each with `min_tokens_to_keep` 1).
 */

/** HF `RepetitionPenaltyLogitsProcessor`: the score of every token in `tokens` divided by `penalty` when positive, multiplied when negative. */
export function applyRepetitionPenalty(scores: Float32Array, tokens: ArrayLike<number>, penalty: number): void {
  if (penalty === 1) return;
  const p = Math.fround(penalty);
  const seen = new Set<number>();
  for (let i = 0; i < tokens.length; i++) seen.add(tokens[i]!);
  for (const t of seen) {
    const s = scores[t]!;
    scores[t] = s < 0 ? s * p : s / p;
  }
}

/** HF `TemperatureLogitsWarper`: every score divided by `temperature`. */
export function applyTemperature(scores: Float32Array, temperature: number): void {
  if (temperature === 1) return;
  const t = Math.fround(temperature);
  for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! / t;
}

/** HF `TopKLogitsWarper`: scores below the k-th largest become −∞ (ties with it stay); 0 = off. */
export function applyTopK(scores: Float32Array, k: number): void {
  if (k <= 0 || k >= scores.length) return;
  const threshold = Float32Array.from(scores).sort((a, b) => b - a)[k - 1]!;
  for (let i = 0; i < scores.length; i++) if (scores[i]! < threshold) scores[i] = -Infinity;
}

/**
 * HF `TopPLogitsWarper`: with the scores sorted ascending, the tokens whose cumulative softmax
 * probability is ≤ 1 − `topP` become −∞; the best token always stays. 1 = off.
 */
export function applyTopP(scores: Float32Array, topP: number): void {
  if (topP >= 1) return;
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]! || a - b);
  const probs = softmax(Float32Array.from(order, (i) => scores[i]!));
  const limit = Math.fround(1 - topP);
  let cum = 0;
  for (let r = 0; r < order.length - 1; r++) {
    cum = Math.fround(cum + probs[r]!);
    if (cum <= limit) scores[order[r]!] = -Infinity;
  }
}

/** float32 softmax of a row (−∞ gets 0). */
export function softmax(row: Float32Array): Float32Array {
  let m = -Infinity;
  for (const x of row) if (x > m) m = x;
  const out = new Float32Array(row.length);
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    out[i] = Math.exp(row[i]! - m);
    sum += out[i]!;
  }
  for (let i = 0; i < row.length; i++) out[i] = out[i]! / sum;
  return out;
}

/** float32 log-softmax of a row (HF `log_softmax` before beam search's processors). */
export function logSoftmax(row: Float32Array): Float32Array {
  let m = -Infinity;
  for (const x of row) if (x > m) m = x;
  let sum = 0;
  for (const x of row) sum += Math.exp(x - m);
  const lse = m + Math.log(sum);
  return Float32Array.from(row, (x) => x - lse);
}
