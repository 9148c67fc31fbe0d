import { softmax } from './logits-processors';

/** A seeded uniform generator in [0, 1) (mulberry32): the same seed gives the same draws on every backend. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One token drawn from `softmax(scores)` (HF `torch.multinomial(probs, 1)`); −∞ scores are never drawn. */
export function sampleToken(scores: Float32Array, random: () => number): number {
  const probs = softmax(scores);
  const u = random();
  let cum = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i]! <= 0) continue;
    last = i;
    cum += probs[i]!;
    if (u < cum) return i;
  }
  return last;
}

/** The first index of the largest score (HF `argmax`). */
export function argmax(scores: Float32Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
