import { describe, it, expect } from 'vitest';
import { maskTokens } from './index';

const SPECIAL = [0, 101, 102];
const rows = Array.from({ length: 200 }, (_, r) => [101, ...Array.from({ length: 48 }, (_, i) => 1000 + ((r * 31 + i * 7) % 500)), 102, 0, 0]);

describe('maskTokens (BERT masked-LM corruption)', () => {
  it('chooses ~15 % of non-special tokens, 80/10/10 mask/random/keep, labels −100 elsewhere, never specials', () => {
    const { inputIds, labels } = maskTokens(rows, { maskTokenId: 103, vocabSize: 30522, specialIds: SPECIAL, seed: 1 });
    let chosen = 0;
    let masked = 0;
    let kept = 0;
    let total = 0;
    rows.forEach((row, r) =>
      row.forEach((id, i) => {
        if (SPECIAL.includes(id)) {
          expect(labels[r]![i]).toBe(-100);
          expect(inputIds[r]![i]).toBe(id);
          return;
        }
        total++;
        if (labels[r]![i] === -100) return expect(inputIds[r]![i]).toBe(id);
        chosen++;
        expect(labels[r]![i]).toBe(id);
        if (inputIds[r]![i] === 103) masked++;
        else if (inputIds[r]![i] === id) kept++;
      }),
    );
    expect(Math.abs(chosen / total - 0.15)).toBeLessThan(0.01);
    expect(Math.abs(masked / chosen - 0.8)).toBeLessThan(0.03);
    expect(Math.abs(kept / chosen - 0.1)).toBeLessThan(0.03);
    expect(maskTokens(rows, { maskTokenId: 103, vocabSize: 30522, specialIds: SPECIAL, seed: 1 })).toEqual({ inputIds, labels });
  });

  it('whole-word masking chooses a word with all its ## pieces', () => {
    const vocab: Record<number, string> = { 5: 'pneum', 6: '##oth', 7: '##orax', 8: 'is', 9: 'seen' };
    const row = [101, 5, 6, 7, 8, 9, 5, 6, 7, 102];
    for (let seed = 0; seed < 50; seed++) {
      const { labels } = maskTokens([row], { maskTokenId: 103, vocabSize: 100, specialIds: SPECIAL, seed, wholeWord: true, idToToken: (id) => vocab[id], mlmProbability: 0.5 });
      const l = labels[0]!;
      expect(l[1] === -100).toBe(l[2] === -100);
      expect(l[2] === -100).toBe(l[3] === -100);
      expect(l[6] === -100).toBe(l[8] === -100);
    }
    expect(() => maskTokens([row], { maskTokenId: 103, vocabSize: 100, specialIds: SPECIAL, seed: 0, wholeWord: true })).toThrow(/wholeWord needs idToToken/);
  });
});
