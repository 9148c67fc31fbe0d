import { ngramCounts, tokenizeCorpus } from './caption-tokens';

interface Vec {
  vec: Map<string, number>[];
  norm: number[];
  length: number;
}

/**
 * CIDEr-D as pycocoevalcap's `Cider` scorer computes it: TF-IDF vectors of 1..4-grams with document
 * frequencies taken from the references of the evaluated corpus (so a corpus of one item gives 0),
 * clipped matches min(candidate, reference)·reference, a Gaussian length penalty
 * exp(−δ²/2σ²) with σ = 6, averaged over n and references, times 10; the corpus score is the mean.
 * As in pycocoevalcap, the "length" of the penalty counts bigrams.
 */
export function ciderD(candidates: string[], references: string[][], o: { sigma?: number; tokenize?: (s: string) => string[] } = {}): { score: number; perItem: number[] } {
  const { candidates: cand, references: refs } = tokenizeCorpus('ciderD', candidates, references, o.tokenize);
  const maxN = 4;
  const sigma = o.sigma ?? 6;
  const df = new Map<string, number>();
  const refCounts = refs.map((rs) => rs.map((r) => ngramCounts(r, maxN)));
  for (const item of refCounts) {
    const seen = new Set<string>();
    for (const r of item) for (const m of r) for (const g of m.keys()) seen.add(g);
    for (const g of seen) df.set(g, (df.get(g) ?? 0) + 1);
  }
  const refLen = Math.log(cand.length);
  const toVec = (counts: Map<string, number>[]): Vec => {
    const vec = counts.map(() => new Map<string, number>());
    const norm = new Array<number>(maxN).fill(0);
    let length = 0;
    counts.forEach((m, n) => {
      m.forEach((tf, g) => {
        const v = tf * (refLen - Math.log(Math.max(1, df.get(g) ?? 0)));
        vec[n]!.set(g, v);
        norm[n]! += v * v;
        if (n === 1) length += tf;
      });
    });
    return { vec, norm: norm.map(Math.sqrt), length };
  };
  const sim = (h: Vec, r: Vec): number[] => {
    const delta = h.length - r.length;
    return h.vec.map((m, n) => {
      let val = 0;
      m.forEach((v, g) => (val += Math.min(v, r.vec[n]!.get(g) ?? 0) * (r.vec[n]!.get(g) ?? 0)));
      if (h.norm[n] !== 0 && r.norm[n] !== 0) val /= h.norm[n]! * r.norm[n]!;
      return val * Math.exp(-(delta * delta) / (2 * sigma * sigma));
    });
  };
  const perItem = cand.map((c, i) => {
    const h = toVec(ngramCounts(c, maxN));
    const total = new Array<number>(maxN).fill(0);
    for (const rc of refCounts[i]!) sim(h, toVec(rc)).forEach((v, n) => (total[n]! += v));
    const mean = total.reduce((a, b) => a + b, 0) / maxN;
    return (mean / refCounts[i]!.length) * 10;
  });
  return { score: perItem.reduce((a, b) => a + b, 0) / perItem.length, perItem };
}
