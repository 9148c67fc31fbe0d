import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { generate, type StepFn } from './generate';

// A toy "language model": next-token logits depend on the last token and the prefix length only.
const V = 4;
const EOS = 3;
function table(seed: number): number[][][] {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2;
  return Array.from({ length: 8 }, () => Array.from({ length: V }, () => Array.from({ length: V }, r)));
}
const stepFrom =
  (t: number[][][]): StepFn =>
  (prefixes) =>
    tf.tensor2d(
      prefixes.map((p) => t[p.length]![p[p.length - 1]!]!),
      [prefixes.length, V],
    ) as tf.Tensor2D;

function logp(t: number[][][], seq: number[]): number {
  let s = 0;
  for (let i = 1; i < seq.length; i++) {
    const row = t[i]![seq[i - 1]!]!;
    const lse = Math.log(row.reduce((a, b) => a + Math.exp(b), 0));
    s += row[seq[i]!]! - lse;
  }
  return s;
}

/** Every continuation of [0] up to maxLength that ends at EOS or at maxLength. */
function allSequences(maxLength: number): number[][] {
  const out: number[][] = [];
  const rec = (seq: number[]) => {
    if (seq.length === maxLength || (seq.length > 1 && seq[seq.length - 1] === EOS)) {
      out.push(seq);
      return;
    }
    for (let t = 0; t < V; t++) rec([...seq, t]);
  };
  rec([0]);
  return out;
}

describe('generate', () => {
  beforeAll(() => useBackend('cpu'));

  it('greedy takes the arg-max at each step and stops at EOS; min length blocks an early EOS', async () => {
    const t = table(7);
    const r = await generate([[0], [1]], stepFrom(t), { maxLength: 6, eosTokenId: EOS, padTokenId: 0 });
    for (const [i, seq] of r.sequences.entries()) {
      for (let k = 1; k < seq.length; k++) {
        const row = t[k]![seq[k - 1]!]!;
        expect(seq[k]).toBe(row.indexOf(Math.max(...row)));
      }
      expect(r.scores[i]).toBeCloseTo(logp(t, seq), 5);
    }
    const withMin = await generate([[0]], stepFrom(t), { maxLength: 6, minLength: 4, eosTokenId: EOS, padTokenId: 0 });
    expect(withMin.sequences[0]!.slice(1, 4)).not.toContain(EOS);
  });

  it('beam search with enough beams finds the exhaustive optimum (length-normalised score)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const t = table(seed);
      const maxLength = 5;
      const best = allSequences(maxLength)
        .map((s) => ({ s, score: logp(t, s) / (s.length - 1) }))
        .sort((a, b) => b.score - a.score)[0]!;
      const r = await generate([[0]], stepFrom(t), { maxLength, numBeams: V ** 3, eosTokenId: EOS, padTokenId: 0 });
      expect(r.sequences[0]).toEqual(best.s);
      expect(r.scores[0]).toBeCloseTo(best.score, 5);
    }
  });

  it('3 beams never score below greedy, and nothing leaks', async () => {
    const before = tf.memory().numTensors;
    for (const seed of [11, 12, 13, 14]) {
      const t = table(seed);
      const g = await generate([[0]], stepFrom(t), { maxLength: 7, eosTokenId: EOS, padTokenId: 0 });
      const b = await generate([[0]], stepFrom(t), { maxLength: 7, numBeams: 3, eosTokenId: EOS, padTokenId: 0 });
      const gs = logp(t, g.sequences[0]!) / (g.sequences[0]!.length - 1);
      expect(b.scores[0]!).toBeGreaterThanOrEqual(gs - 1e-5); // float32 log-probs
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('generate: repetition penalty and no-repeat n-grams (HF logits processors)', () => {
  beforeAll(() => useBackend('cpu'));
  // the same logits at every step: token 1 (3) > 2 (2) > 0 (0) > EOS (−5), so plain greedy repeats 1
  const flat: StepFn = (prefixes) =>
    tf.tensor2d(
      prefixes.map(() => [0, 3, 2, -5]),
      [prefixes.length, V],
    ) as tf.Tensor2D;

  it('greedy, hand-traced', async () => {
    const base = { maxLength: 6, eosTokenId: EOS, padTokenId: 0 };
    expect((await generate([[0]], flat, base)).sequences[0]).toEqual([0, 1, 1, 1, 1, 1]);
    // bigram (1,1) seen → 1 banned after 1; then (1,1) and (1,2) seen → 0
    expect((await generate([[0]], flat, { ...base, noRepeatNgramSize: 2 })).sequences[0]).toEqual([0, 1, 1, 2, 1, 0]);
    // on logits: a seen positive score is halved (1: 3 → 1.5 < 2), so 2 follows the first 1, then 1 wins again
    expect((await generate([[0]], flat, { ...base, repetitionPenalty: 2 })).sequences[0]).toEqual([0, 1, 2, 1, 1, 1]);
  });

  it('beam search never repeats a banned n-gram', async () => {
    const r = await generate([[0], [2]], flat, { maxLength: 7, numBeams: 2, eosTokenId: EOS, padTokenId: 0, noRepeatNgramSize: 2 });
    for (const seq of r.sequences) {
      const grams = seq.slice(1).map((t, i) => `${seq[i]},${t}`);
      expect(new Set(grams).size).toBe(grams.length);
    }
  });
});
