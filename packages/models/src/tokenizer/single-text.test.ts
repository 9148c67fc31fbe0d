import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@tfjs-peft/ops/testing';
import { BertTokenizer } from '../bert/tokenizer';
import { AutoTokenizer } from './index';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', ',', '!', 'yes'].join('\n');

/** As transformers' `tokenizer(text)`: one string is a batch of one, in every tokenizer. */
describe('tokenizers take one string or a list', () => {
  beforeAll(() => useBackend('cpu'));

  it('BertTokenizer: encodeBatch and encodeToTensors of a string are the batch of one', async () => {
    const t = BertTokenizer.fromVocab(VOCAB);
    expect(t.encodeBatch('Hello, world!')).toEqual(t.encodeBatch(['Hello, world!']));
    const e = t.encodeToTensors('Hello, world!');
    expect(e.inputIds.shape).toEqual([1, 6]);
    expect(await e.inputIds.array()).toEqual([[2, 5, 7, 6, 8, 3]]);
    expect(await e.attentionMask.array()).toEqual([[1, 1, 1, 1, 1, 1]]);
    tf.dispose(Object.values(e));
    expect(() => t.encodeBatch(3 as never)).toThrow(/expected a text or a list/);
  });

  it('AutoTokenizer: encodeBatch and encodeToTensors of a string (no pad token needed for one row); a list pads', async () => {
    const t = await AutoTokenizer.fromPretrained(join(FIXTURES, 'gpt2-bpe'));
    expect(t.encodeBatch('Hello, world!')).toEqual(t.encodeBatch(['Hello, world!']));
    const one = t.encodeToTensors('Hello, world!');
    expect(one.inputIds.shape).toEqual([1, t.encode('Hello, world!').length]);
    expect((await one.inputIds.array())[0]).toEqual(t.encode('Hello, world!'));
    expect(one.inputIds.dtype).toBe('int32');
    tf.dispose(Object.values(one));
    t.padToken = t.eosToken;
    const two = t.encodeToTensors(['yes', 'Hello, world!']);
    expect(two.inputIds.shape[0]).toBe(2);
    expect(await two.attentionMask.array()).toEqual(t.encodeBatch(['yes', 'Hello, world!'], { padding: true }).attentionMask);
    tf.dispose(Object.values(two));
    const wp = await AutoTokenizer.fromPretrained(join(FIXTURES, 'wordpiece'));
    const withTypes = wp.encodeToTensors('yes', { returnTokenTypeIds: true });
    expect(withTypes.tokenTypeIds?.shape).toEqual(withTypes.inputIds.shape);
    tf.dispose(Object.values(withTypes));
  });
});
