import { describe, it, expect } from 'vitest';
import { batchBlocks, blocksPerEpoch, epochOrder, packBlocks, tokenizeCorpus } from './pack';

// documents of ids 10.., 20.., …: a word's value says which document and which position it came from
const docs = [[10, 11, 12], [20], [30, 31, 32, 33, 34, 35, 36], [40, 41]];
const corpus = tokenizeCorpus(
  docs.map((_, i) => String(i)),
  (batch) => batch.map((s) => docs[Number(s)]!),
  2, // chunks of two lines: the offsets must still line up
);
const o = { seq: 5, clsId: 1, sepId: 2 };

describe('packBlocks', () => {
  it('streams every token once, documents joined by [SEP], in full blocks behind [CLS]', () => {
    expect(Array.from(corpus.offsets)).toEqual([0, 3, 4, 11, 13]);
    const blocks = [...packBlocks(corpus, o)].map((b) => Array.from(b));
    expect(blocks).toEqual([
      [1, 10, 11, 12, 2],
      [1, 20, 2, 30, 31],
      [1, 32, 33, 34, 35],
      [1, 36, 2, 40, 41],
    ]); // the trailing [SEP] of the last document is a partial block: dropped
    expect(blocksPerEpoch(corpus, o)).toBe(blocks.length);
    expect(blocks.every((b) => b.length === o.seq)).toBe(true);
  });

  it('follows the given order; an epoch order is a seeded permutation, new each epoch, the same each run', () => {
    const b = [...packBlocks(corpus, o, [3, 1, 0, 2])].map((x) => Array.from(x));
    expect(b[0]).toEqual([1, 40, 41, 2, 20]);
    const e0 = epochOrder(corpus, 42, 0);
    expect([...e0].sort()).toEqual([0, 1, 2, 3]);
    expect(epochOrder(corpus, 42, 0)).toEqual(e0);
    const orders = new Set(Array.from({ length: 6 }, (_, e) => epochOrder(corpus, 42, e).join(',')));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('batches drop the last partial batch; seq < 2 is refused', () => {
    const bs = [...batchBlocks(packBlocks(corpus, o), 3)];
    expect(bs.map((b) => b.length)).toEqual([3]);
    expect(() => [...packBlocks(corpus, { ...o, seq: 1 })]).toThrow(/seq must be at least 2, got 1/);
  });
});
