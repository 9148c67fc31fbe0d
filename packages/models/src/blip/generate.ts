import * as tf from '@tensorflow/tfjs-core';

export interface GenerateOptions {
  /** total length including the start token (HF `max_length`; MISS: 10) */
  maxLength?: number;
  minLength?: number;
  /** 1 = greedy; MISS uses 3 */
  numBeams?: number;
  eosTokenId: number;
  padTokenId: number;
  /** beam scores are sum(log p) / generated_length ** lengthPenalty (HF default 1) */
  lengthPenalty?: number;
  /**
   * HF `repetition_penalty` (CTRL): the score of every token already in the sequence (prompt
   * included) is divided by it when positive and multiplied when negative. Applied, as in HF, to
   * the logits in greedy search and to the log-probabilities in beam search. 1 = off.
   */
  repetitionPenalty?: number;
  /** HF `no_repeat_ngram_size`: a token that would repeat an n-gram of the sequence is banned. 0 = off. */
  noRepeatNgramSize?: number;
}

export interface GenerateResult {
  /** one sequence per batch item, starting with the prompt, without padding */
  sequences: number[][];
  /** sum of log-probabilities of the generated tokens (greedy) or the beam score */
  scores: number[];
}

/**
 * Returns the next-token logits `[N, vocab]` (generate disposes them) for N prefixes (all the same length),
 * given the row of the batch item each prefix belongs to.
 */
export type StepFn = (prefixes: number[][], batchIndex: number[]) => tf.Tensor2D;

/** HF's repetition-penalty and no-repeat-n-gram processors on one row of scores, in place. */
export function processScores(row: Float32Array, tokens: number[], o: Pick<GenerateOptions, 'repetitionPenalty' | 'noRepeatNgramSize'>): void {
  const p = o.repetitionPenalty ?? 1;
  if (p !== 1) {
    for (const t of new Set(tokens)) row[t] = row[t]! < 0 ? row[t]! * p : row[t]! / p;
  }
  const n = o.noRepeatNgramSize ?? 0;
  if (n > 0 && tokens.length + 1 >= n) {
    const prefix = tokens.slice(tokens.length - n + 1);
    for (let i = 0; i + n <= tokens.length; i++) {
      let same = true;
      for (let j = 0; j < n - 1 && same; j++) same = tokens[i + j] === prefix[j];
      if (same) row[tokens[i + n - 1]!] = -Infinity;
    }
  }
}

/** Rows of raw scores (greedy: the processors see logits, as in HF). */
async function rawRows(logits: tf.Tensor2D): Promise<Float32Array[]> {
  const [n, v] = logits.shape as [number, number];
  const data = Float32Array.from((await logits.data()) as Float32Array);
  logits.dispose();
  return Array.from({ length: n }, (_, i) => data.subarray(i * v, (i + 1) * v));
}

/** log p of token `t` under a row of logits. */
function logProb(row: Float32Array, t: number): number {
  let m = -Infinity;
  for (const x of row) if (x > m) m = x;
  let s = 0;
  for (const x of row) s += Math.exp(x - m);
  return row[t]! - m - Math.log(s);
}

async function logSoftmaxRows(logits: tf.Tensor2D): Promise<Float32Array[]> {
  const lp = tf.tidy(() => tf.sub(logits, tf.logSumExp(logits, -1, true)));
  const [n, v] = lp.shape as [number, number];
  const data = (await lp.data()) as Float32Array;
  lp.dispose();
  logits.dispose();
  return Array.from({ length: n }, (_, i) => data.subarray(i * v, (i + 1) * v));
}

/**
 * Autoregressive decoding without a cache (each step recomputes the prefix — the sequences here are
 * short: VQA answers and reports). Greedy for `numBeams` 1, otherwise beam search with HF's rules:
 * 2·numBeams candidates per step, a hypothesis ends at EOS, a batch item is done when it has
 * `numBeams` finished hypotheses and no running beam can beat the worst of them.
 */
export async function generate(prompts: number[][], step: StepFn, options: GenerateOptions): Promise<GenerateResult> {
  const maxLength = options.maxLength ?? 20;
  const minLength = options.minLength ?? 0;
  const numBeams = options.numBeams ?? 1;
  const lp = options.lengthPenalty ?? 1;
  const eos = options.eosTokenId;
  const promptLen = prompts[0]?.length ?? 0;
  if (prompts.some((p) => p.length !== promptLen)) throw new RangeError('generate: all prompts must have the same length');

  if (numBeams === 1) {
    const seqs = prompts.map((p) => [...p]);
    const scores = prompts.map(() => 0);
    const done = prompts.map(() => false);
    for (let len = promptLen; len < maxLength && !done.every(Boolean); len++) {
      const active = seqs.map((_, i) => i).filter((i) => !done[i]);
      const processed = (options.repetitionPenalty ?? 1) !== 1 || (options.noRepeatNgramSize ?? 0) > 0;
      const logits = step(
        active.map((i) => seqs[i]!),
        active,
      );
      const rows = processed ? await rawRows(logits) : await logSoftmaxRows(logits);
      active.forEach((i, r) => {
        const row = rows[r]!;
        if (processed) processScores(row, seqs[i]!, options);
        let best = -1;
        let bestV = -Infinity;
        for (let t = 0; t < row.length; t++) {
          if (t === eos && len - promptLen + 1 < minLength) continue;
          if (row[t]! > bestV) [best, bestV] = [t, row[t]!];
        }
        seqs[i]!.push(best);
        scores[i]! += processed ? logProb(row, best) : bestV;
        if (best === eos) done[i] = true;
      });
    }
    return { sequences: seqs, scores };
  }

  interface Hyp {
    tokens: number[];
    score: number;
  }
  const finished: Hyp[][] = prompts.map(() => []);
  const isDone = prompts.map(() => false);
  // running beams: per batch item, numBeams prefixes with their summed log-prob (only beam 0 live at first)
  let beams: { tokens: number[]; sum: number }[][] = prompts.map((p) => Array.from({ length: numBeams }, (_, k) => ({ tokens: [...p], sum: k === 0 ? 0 : -1e9 })));
  const lengthScore = (sum: number, genLen: number) => sum / Math.max(genLen, 1) ** lp;
  for (let len = promptLen; len < maxLength; len++) {
    const items = beams.map((_, b) => b).filter((b) => !isDone[b]);
    if (!items.length) break;
    const flat = items.flatMap((b) => beams[b]!.map((h) => h.tokens));
    const batchIndex = items.flatMap((b) => beams[b]!.map(() => b));
    const rows = await logSoftmaxRows(step(flat, batchIndex));
    for (const [ii, b] of items.entries()) {
      const cands: { beam: number; token: number; sum: number }[] = [];
      for (let k = 0; k < numBeams; k++) {
        const row = rows[ii * numBeams + k]!;
        processScores(row, beams[b]![k]!.tokens, options);
        const base = beams[b]![k]!.sum;
        // keep the best 2·numBeams tokens of this beam (enough for the global top 2·numBeams)
        const top: { token: number; sum: number }[] = [];
        for (let t = 0; t < row.length; t++) {
          if (t === eos && len - promptLen + 1 < minLength) continue;
          const s = base + row[t]!;
          if (top.length < 2 * numBeams || s > top[top.length - 1]!.sum) {
            top.push({ token: t, sum: s });
            top.sort((x, y) => y.sum - x.sum);
            if (top.length > 2 * numBeams) top.pop();
          }
        }
        for (const c of top) cands.push({ beam: k, ...c });
      }
      cands.sort((x, y) => y.sum - x.sum);
      const next: { tokens: number[]; sum: number }[] = [];
      const genLen = len - promptLen + 1;
      for (const [rank, c] of cands.slice(0, 2 * numBeams).entries()) {
        const tokens = [...beams[b]![c.beam]!.tokens, c.token];
        if (c.token === eos) {
          if (rank >= numBeams) continue; // HF: an EOS outside the top numBeams is not kept
          addHyp(finished[b]!, { tokens, score: lengthScore(c.sum, genLen) }, numBeams);
        } else {
          next.push({ tokens, sum: c.sum });
        }
        if (next.length === numBeams) break;
      }
      beams[b] = next;
      const worst = finished[b]!.length === numBeams ? finished[b]![numBeams - 1]!.score : -Infinity;
      const bestRunning = next.length ? lengthScore(next[0]!.sum, genLen) : -Infinity;
      if (finished[b]!.length === numBeams && bestRunning <= worst) isDone[b] = true;
    }
  }
  // out of length: running beams become hypotheses too
  beams.forEach((bs, b) => {
    if (isDone[b]) return;
    for (const h of bs) addHyp(finished[b]!, { tokens: h.tokens, score: lengthScore(h.sum, h.tokens.length - promptLen) }, numBeams);
  });
  beams = [];
  return {
    sequences: finished.map((f) => f[0]!.tokens),
    scores: finished.map((f) => f[0]!.score),
  };
}

function addHyp(list: { tokens: number[]; score: number }[], h: { tokens: number[]; score: number }, n: number): void {
  list.push(h);
  list.sort((a, b) => b.score - a.score);
  if (list.length > n) list.pop();
}
