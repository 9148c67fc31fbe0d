import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@tfjs-peft/ops/testing';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { Dataset, batches, batchIndices, permutation, collateText } from './index';

describe('Dataset and batching', () => {
  it('seeded shuffling is reproducible, differs per epoch, and covers every example once', () => {
    expect(permutation(10, 3)).toEqual(permutation(10, 3));
    expect(permutation(10, 3)).not.toEqual(permutation(10, 4));
    const e0 = batchIndices(23, { batchSize: 5, shuffle: true, seed: 7, epoch: 0 });
    const e1 = batchIndices(23, { batchSize: 5, shuffle: true, seed: 7, epoch: 1 });
    expect(e0.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(e0).not.toEqual(e1);
    expect(e0.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    expect(batchIndices(23, { batchSize: 5, dropLast: true }).length).toBe(4);
    expect(() => batchIndices(3, { batchSize: 0 })).toThrow(/batchSize must be ≥ 1/);
  });

  it('length bucketing groups similar lengths (less padding) and still covers every example', () => {
    const lengths = permutation(200, 1).map((i) => (i % 50) + 1);
    const ds = Dataset.from(lengths);
    const bs = [...batches(ds, { batchSize: 10, shuffle: true, seed: 2, length: (x) => x as number, bucketWindow: 20 })];
    const padding = (bb: number[][]) => bb.reduce((a, b) => a + b.length * Math.max(...b) - b.reduce((s, v) => s + v, 0), 0);
    const plain = [...batches(ds, { batchSize: 10, shuffle: true, seed: 2 })];
    expect(padding(bs)).toBeLessThan(padding(plain) / 5);
    expect(bs.flat().sort((a, b) => a - b)).toEqual([...lengths].sort((a, b) => a - b));
  });

  it('map, filter, select, bounds checks', () => {
    const ds = Dataset.from([1, 2, 3, 4])
      .map((x) => x * 10)
      .filter((x) => x > 10);
    expect([...ds]).toEqual([20, 30, 40]);
    expect([...ds.select([2, 0])]).toEqual([40, 20]);
    expect(() => ds.get(3)).toThrow(/index 3 outside the dataset \(0…2\)/);
  });
});

const VOCAB = resolve(
  process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared'),
  'data/bert_vocab/bert-base-uncased/vocab.txt',
);

describe.skipIf(!existsSync(VOCAB))('collateText with the real BERT tokenizer', () => {
  beforeAll(() => useBackend('cpu'));
  it('pads to the longest pair, types the second segment, and carries int or float labels', async () => {
    const tok = BertTokenizer.fromVocab(await readFile(VOCAB, 'utf8'));
    const b = collateText(tok, [
      { textA: 'Hello, world!', textB: null, label: 1 },
      { textA: 'is there a fracture?', textB: 'no', label: 0 },
    ]);
    expect(b.inputIds.shape).toEqual([2, 9]);
    expect(Array.from(await b.inputIds.data()).slice(0, 9)).toEqual([101, 7592, 1010, 2088, 999, 102, 0, 0, 0]);
    expect(Array.from(await b.tokenTypeIds.data()).slice(9)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(await b.attentionMask.data()).slice(0, 9)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(b.labels!.dtype).toBe('int32');
    const r = collateText(tok, [{ textA: 'a', textB: 'b', label: 3.5 }], { regression: true, maxLength: 4 });
    expect(r.labels!.dtype).toBe('float32');
    expect(r.inputIds.shape).toEqual([1, 4]);
    const unlabeled = collateText(tok, [{ textA: 'a', textB: null, label: null }]);
    expect(unlabeled.labels).toBeUndefined();
    tf.dispose([b.inputIds, b.attentionMask, b.tokenTypeIds, b.labels!, r.inputIds, r.attentionMask, r.tokenTypeIds, r.labels!]);
  });
});
