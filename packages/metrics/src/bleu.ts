import { ngramCounts, tokenizeCorpus } from './caption-tokens';

/**
 * Corpus BLEU-1..4 as pycocoevalcap computes it: clipped n-gram matches and candidate n-gram counts
 * summed over the corpus, the effective reference length of each item the reference length closest
 * to the candidate's (ties: the shorter), one brevity penalty exp(1 − r/c) when the corpus
 * candidate length c is below r, and the same tiny smoothing constants (1e-15 / 1e-9).
 * Returns [BLEU-1, BLEU-2, BLEU-3, BLEU-4].
 */
export function bleu(candidates: string[], references: string[][], o: { tokenize?: (s: string) => string[] } = {}): [number, number, number, number] {
  const { candidates: cand, references: refs } = tokenizeCorpus('bleu', candidates, references, o.tokenize);
  const maxN = 4;
  let testLen = 0;
  let refLen = 0;
  const guess = new Array<number>(maxN).fill(0);
  const correct = new Array<number>(maxN).fill(0);
  cand.forEach((c, i) => {
    const rs = refs[i]!;
    const maxRef = Array.from({ length: maxN }, () => new Map<string, number>());
    for (const r of rs) ngramCounts(r, maxN).forEach((m, n) => m.forEach((v, g) => maxRef[n]!.set(g, Math.max(maxRef[n]!.get(g) ?? 0, v))));
    const lens = rs.map((r) => r.length);
    const closest = lens.reduce((best, l) => (Math.abs(l - c.length) < Math.abs(best - c.length) || (Math.abs(l - c.length) === Math.abs(best - c.length) && l < best) ? l : best));
    testLen += c.length;
    refLen += closest;
    ngramCounts(c, maxN).forEach((m, n) => {
      guess[n]! += Math.max(c.length - n, 0);
      m.forEach((v, g) => (correct[n]! += Math.min(v, maxRef[n]!.get(g) ?? 0)));
    });
  });
  const tiny = 1e-15;
  const small = 1e-9;
  const out: number[] = [];
  let prod = 1;
  const ratio = (testLen + tiny) / (refLen + small);
  for (let k = 0; k < maxN; k++) {
    prod *= (correct[k]! + tiny) / (guess[k]! + small);
    let b = prod ** (1 / (k + 1));
    if (ratio < 1) b *= Math.exp(1 - 1 / ratio);
    out.push(b);
  }
  return out as [number, number, number, number];
}
