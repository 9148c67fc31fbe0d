import { tokenizeCorpus } from './caption-tokens';

function lcs(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * ROUGE-L as pycocoevalcap computes it: per item, the longest common subsequence with each
 * reference gives precision (over the candidate) and recall (over the reference); the maxima over
 * references combine as F = (1 + β²)·P·R / (R + β²·P) with β = 1.2; the corpus score is the mean.
 */
export function rougeL(candidates: string[], references: string[][], o: { beta?: number; tokenize?: (s: string) => string[] } = {}): { score: number; perItem: number[] } {
  const { candidates: cand, references: refs } = tokenizeCorpus('rougeL', candidates, references, o.tokenize);
  const beta = o.beta ?? 1.2;
  const perItem = cand.map((c, i) => {
    let p = 0;
    let r = 0;
    for (const ref of refs[i]!) {
      const l = lcs(c, ref);
      p = Math.max(p, c.length ? l / c.length : 0);
      r = Math.max(r, ref.length ? l / ref.length : 0);
    }
    return p !== 0 && r !== 0 ? ((1 + beta ** 2) * p * r) / (r + beta ** 2 * p) : 0;
  });
  return { score: perItem.reduce((a, b) => a + b, 0) / perItem.length, perItem };
}
