import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { CausalLmInputError, collatePacked, packSequences } from './index';
import { readGolden } from './golden';

const { flattening } = readGolden();
const features = flattening.features.map((f) => ({ inputIds: f.input_ids, labels: f.labels }));
const total = features.reduce((s, f) => s + f.inputIds.length, 0);

beforeAll(() => useBackend('cpu'));

describe("packSequences against transformers' DataCollatorWithFlattening", () => {
  it('one block holding the batch: input_ids, labels (−100 at each first token) and position_ids as transformers', () => {
    const [block, ...rest] = packSequences(features, { blockSize: total, padTokenId: 0 });
    expect(rest).toEqual([]);
    expect([block!.inputIds]).toEqual(flattening.with_labels.input_ids);
    expect([block!.labels]).toEqual(flattening.with_labels.labels);
    expect([block!.positionIds]).toEqual(flattening.with_labels.position_ids);
    expect(block!.examples).toEqual([0, 1, 2]);
  });

  it('examples without labels: their ids are the labels, as transformers', () => {
    const [block] = packSequences(
      features.map((f) => ({ inputIds: f.inputIds })),
      { blockSize: total, padTokenId: 0 },
    );
    expect([block!.labels]).toEqual(flattening.without_labels.labels);
    expect([block!.positionIds]).toEqual(flattening.without_labels.position_ids);
  });

  it('several blocks: greedy in order, no example split, padded ends with labels −100 and their own positions', () => {
    const blocks = packSequences(features, { blockSize: 5, padTokenId: 99 });
    expect(blocks.map((b) => b.examples)).toEqual([[0], [1, 2]]);
    expect(blocks[0]).toMatchObject({ inputIds: [5, 6, 7, 8, 99], labels: [-100, -100, 7, 8, -100], positionIds: [0, 1, 2, 3, 0] });
    expect(blocks[1]).toMatchObject({ inputIds: [9, 10, 11, 12, 99], labels: [-100, 10, 11, -100, -100], positionIds: [0, 1, 2, 0, 0] });
    const t = collatePacked(blocks);
    expect(Object.keys(t).sort()).toEqual(['inputIds', 'labels', 'positionIds']);
    expect(t.inputIds.dtype).toBe('int32');
    expect(t.positionIds.arraySync()).toEqual(blocks.map((b) => b.positionIds));
    tf.dispose(Object.values(t));
  });

  it('truncation cuts an example to blockSize; without it the example is named', () => {
    const blocks = packSequences(features, { blockSize: 3, padTokenId: 0, truncation: true });
    expect(blocks.map((b) => b.inputIds)).toEqual([
      [5, 6, 7],
      [9, 10, 11],
      [12, 0, 0],
    ]);
    const f = () => packSequences(features, { blockSize: 3, padTokenId: 0 });
    expect(f).toThrow(CausalLmInputError);
    expect(f).toThrow('packSequences: examples[0].inputIds: expected at most blockSize = 3 tokens, got 4 (pass truncation: true to cut it)');
    expect(() => packSequences(features, { blockSize: 0, padTokenId: 0 })).toThrow('packSequences: blockSize: expected an integer ≥ 1, got 0');
    expect(() => packSequences([], { blockSize: 4, padTokenId: 0 })).toThrow('packSequences: examples: expected at least one example');
    expect(() =>
      collatePacked([
        { inputIds: [1], labels: [1], positionIds: [0], examples: [0] },
        { inputIds: [1, 2], labels: [1, 2], positionIds: [0, 1], examples: [1] },
      ]),
    ).toThrow('collatePacked: blocks[1].inputIds: expected 1 values');
  });
});
