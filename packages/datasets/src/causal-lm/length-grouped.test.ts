import { describe, it, expect } from 'vitest';
import { CausalLmInputError, lengthGroupedBatches, lengthGroupedIndices } from './index';
import { readGolden } from './golden';

const { length_grouped: cases } = readGolden();

describe("lengthGroupedIndices against transformers' get_length_grouped_indices (LengthGroupedSampler)", () => {
  it.each(cases.map((c, k) => [k, c] as const))('case %i: the same order from the same torch.randperm', (_, c) => {
    const order = lengthGroupedIndices(c.lengths, c.batch_size, { order: c.randperm, ...(c.mega_batch_mult !== null ? { megaBatchMult: c.mega_batch_mult } : {}) });
    expect(order).toEqual(c.order);
  });
});

describe('lengthGroupedBatches (seeded; torch.randperm is not reproduced, so its properties are checked)', () => {
  const lengths = cases[1]!.lengths; // 500 lengths in 1…199
  const batchSize = 4;

  it('every index once, the longest example in the first batch, reproducible per seed and epoch', () => {
    const batches = lengthGroupedBatches(lengths, { batchSize, seed: 3 });
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(batches.every((b) => b.length === batchSize)).toBe(true);
    expect(batches[0]!.map((i) => lengths[i]!)).toContain(Math.max(...lengths));
    expect(lengthGroupedBatches(lengths, { batchSize, seed: 3 })).toEqual(batches);
    expect(lengthGroupedBatches(lengths, { batchSize, seed: 2, epoch: 1 })).toEqual(batches);
    expect(lengthGroupedBatches(lengths, { batchSize, seed: 3, epoch: 1 })).not.toEqual(batches);
  });

  it('batches hold similar lengths: far less padding than random batches', () => {
    const padding = (bs: number[][]) => bs.reduce((s, b) => s + Math.max(...b.map((i) => lengths[i]!)) * b.length - b.reduce((t, i) => t + lengths[i]!, 0), 0);
    const grouped = padding(lengthGroupedBatches(lengths, { batchSize, seed: 3 }));
    const random: number[][] = [];
    for (let s = 0; s < lengths.length; s += batchSize) random.push(Array.from({ length: batchSize }, (_, k) => s + k));
    expect(grouped).toBeLessThan(padding(random) / 10);
    // within a mega-batch (min(⌊500 / 16⌋, 50) = 31 batches → 124 examples; its first may be the swapped-in longest) lengths fall
    const flat = lengthGroupedIndices(lengths, batchSize, { seed: 3 });
    const mega = flat.slice(125, 248).map((i) => lengths[i]!);
    expect(mega).toEqual([...mega].sort((a, b) => b - a));
  });

  it('dropLast and bad input', () => {
    expect(lengthGroupedBatches([3, 1, 2, 5, 4], { batchSize: 2, dropLast: true }).flat()).toHaveLength(4);
    expect(lengthGroupedBatches([], { batchSize: 2 })).toEqual([]);
    expect(() => lengthGroupedBatches([1, -2], { batchSize: 2 })).toThrow(CausalLmInputError);
    expect(() => lengthGroupedBatches([1, -2], { batchSize: 2 })).toThrow('lengthGroupedBatches: examples[1].length: expected a finite number ≥ 0, got -2');
    expect(() => lengthGroupedBatches([1, 2], { batchSize: 0 })).toThrow('lengthGroupedBatches: batchSize: expected an integer ≥ 1, got 0');
    expect(() => lengthGroupedIndices([1, 2], 1, { order: [0, 0] })).toThrow('lengthGroupedIndices: order: expected a permutation of 0…1, got [0,0]');
  });
});
