import { describe, it, expect } from 'vitest';
import { bleu, rougeL, ciderD, captionTokens, vqaAccuracy, normalizeAnswer, isClosedAnswer } from './index';

const CANDS = ['The heart size is normal and the lungs are clear.', 'No acute cardiopulmonary abnormality.', 'There is a small left pleural effusion.'];
const REFS = [
  ['The heart is normal in size. The lungs are clear.', 'Heart size normal, lungs clear.'],
  ['No acute cardiopulmonary process.'],
  ['Small left pleural effusion is present.', 'There is a left pleural effusion, which is small.'],
];

describe('report-generation metrics', () => {
  it('tokenizes like the COCO evaluation: lower case, punctuation dropped', () => {
    expect(captionTokens('The heart is normal in size. The lungs are clear.')).toEqual(['the', 'heart', 'is', 'normal', 'in', 'size', 'the', 'lungs', 'are', 'clear']);
    expect(captionTokens('Heart size normal, lungs clear!')).toEqual(['heart', 'size', 'normal', 'lungs', 'clear']);
  });

  it('BLEU-1..4 equal NLTK corpus_bleu (closest reference length) on the same tokens', () => {
    // NLTK 3.10 corpus_bleu on these tokenised sentences, weights (1/n, …): written in as numbers
    const nltk = [0.9047619047619048, 0.8083558334292846, 0.6393741125402245, 0.45685509596816626];
    bleu(CANDS, REFS).forEach((b, i) => expect(b).toBeCloseTo(nltk[i]!, 8));
  });

  it('BLEU: brevity penalty and a perfect match (hand-computed)', () => {
    expect(bleu(['a b c d'], [['a b c d']])[3]).toBeCloseTo(1, 8);
    // candidate of 2 tokens against a 4-token reference: precisions 1, BP = exp(1 − 4/2)
    expect(bleu(['a b'], [['a b c d']])[0]).toBeCloseTo(Math.exp(-1), 8);
    // the closest reference length (3, not 6) sets the penalty: no penalty at c = r
    expect(bleu(['a b c'], [['a b c d e f', 'a b x']])[0]).toBeCloseTo(1, 8);
  });

  it('ROUGE-L with β = 1.2 (hand-computed LCS cases)', () => {
    // LCS "the cat on the mat" = 5 of 6 both ways → F = 5/6
    expect(rougeL(['the cat sat on the mat'], [['the cat is on the mat']]).score).toBeCloseTo(5 / 6, 10);
    // P = 1, R = 2/3 → F = (1 + 1.44) · 2/3 / (2/3 + 1.44)
    expect(rougeL(['the cat'], [['the cat sat']]).score).toBeCloseTo((2.44 * (2 / 3)) / (2 / 3 + 1.44), 10);
    // the best reference wins for P and R separately; the corpus score is the mean
    const r = rougeL(['the cat', 'x'], [['the cat sat', 'the cat'], ['y']]);
    expect(r.perItem).toEqual([1, 0]);
    expect(r.score).toBe(0.5);
  });

  it('CIDEr-D (hand-computed): exact short captions score 5, n-grams in every reference weigh nothing', () => {
    // N = 2 items, each n-gram in one item: idf = log 2 everywhere; 1- and 2-gram cosine 1, no 3-/4-grams: (1 + 1 + 0 + 0)/4 · 10
    expect(ciderD(['a b', 'c d'], [['a b'], ['c d']]).perItem).toEqual([5, 5].map((v) => expect.closeTo(v, 10)));
    // "the" appears in both items' references: idf = log 2 − log 2 = 0, so the candidate "the" scores 0
    expect(ciderD(['the', 'the cat'], [['the dog'], ['the cat']]).perItem[0]).toBe(0);
    // a one-item corpus has no document frequencies to learn from: log 1 − log 1 = 0
    expect(ciderD(['a b'], [['a b']]).score).toBe(0);
    // the Gaussian length penalty (bigram counts 1 vs 3: δ = −2, σ = 6) lowers a correct-but-short caption
    const short = ciderD(['a b', 'c d'], [['a b x y'], ['c d']]).perItem[0]!;
    expect(short).toBeGreaterThan(0);
    expect(short).toBeLessThan(5 * Math.exp(-4 / 72));
  });

  it('rejects mismatched inputs with the metric named', () => {
    expect(() => bleu(['a'], [])).toThrow(/bleu: 1 candidates but 0 reference lists/);
    expect(() => rougeL(['a'], [[]])).toThrow(/rougeL: item 0 has no reference/);
  });
});

describe('VQA accuracy (MILE: open / closed / global)', () => {
  it('closed items are yes/no ground truths; the prediction must be exactly yes/no after normalisation', () => {
    expect(isClosedAnswer(' Yes ')).toBe(true);
    expect(isClosedAnswer('left')).toBe(false);
    expect(normalizeAnswer('T2 - weighted.')).toBe('t2-weighted');
    const s = vqaAccuracy(['yes', 'Yes.', 'yes, it is', 'no', 'left lung', 'liver', 'ct'], ['Yes', 'yes', 'yes', 'yes', 'left lung', 'the liver', 'CT']);
    expect([s.nClosed, s.nOpen]).toEqual([4, 3]);
    expect(s.closed).toBeCloseTo(50, 10); // yes ✓, "Yes." ✓, "yes, it is" ✗, no ✗
    expect(s.open).toBeCloseTo((100 * 2) / 3, 10); // exact match: left lung ✓, liver ✗, ct ✓
    expect(s.global).toBeCloseTo((100 * 4) / 7, 10);
  });

  it('the token-recall variant gives partial credit on open items', () => {
    const s = vqaAccuracy(['liver', 'left lung and heart'], ['the liver', 'left lung'], { open: 'recall' });
    expect(s.perItem).toEqual([0.5, 1]);
    expect(() => vqaAccuracy(['a'], [])).toThrow(/1 predictions but 0 ground-truth answers/);
  });
});
