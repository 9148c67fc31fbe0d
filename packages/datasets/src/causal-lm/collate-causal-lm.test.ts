import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { CausalLmInputError, collateCausalLm } from './index';
import { readGolden } from './golden';

const golden = readGolden();
const examples = golden.chat['qwen2-bpe']!.filter((r) => r.labels).map((r) => ({ inputIds: r.input_ids, labels: r.labels! }));

beforeAll(() => useBackend('cpu'));

function arrays(b: ReturnType<typeof collateCausalLm>) {
  for (const t of Object.values(b)) expect(t.dtype).toBe('int32');
  return Object.fromEntries(Object.entries(b).map(([k, t]) => [k, (t as tf.Tensor2D).arraySync()]));
}

describe("collateCausalLm against transformers' DataCollatorForSeq2Seq(label_pad_token_id=-100)", () => {
  it.each(['right', 'left'] as const)('padding side %s: ids, attention mask, labels −100 on padding', (side) => {
    const ref = golden.seq2seq_padding[side];
    const before = tf.memory().numTensors;
    const b = collateCausalLm(examples, { padTokenId: ref.pad_token_id, paddingSide: side, returnPositionIds: true });
    const a = arrays(b);
    expect(a.inputIds).toEqual(ref.input_ids);
    expect(a.attentionMask).toEqual(ref.attention_mask);
    expect(a.labels).toEqual(ref.labels);
    // position ids: 0… over the real tokens (transformers' generate: cumsum(mask) − 1, 1 on padding)
    const expected = ref.attention_mask.map((row) => {
      let c = -1;
      return row.map((m) => (m ? ++c : 1));
    });
    expect(a.positionIds).toEqual(expected);
    tf.dispose(Object.values(b));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('examples without labels get their ids; truncation keeps the first maxLength tokens; padToMultipleOf', () => {
    const a = arrays(
      collateCausalLm([{ inputIds: [5, 6, 7, 8, 9] }, { inputIds: [3, 4], labels: [-100, 4] }], { padTokenId: 0, maxLength: 4, truncation: true, padToMultipleOf: 3 }),
    );
    expect(a.inputIds).toEqual([
      [5, 6, 7, 8, 0, 0],
      [3, 4, 0, 0, 0, 0],
    ]);
    expect(a.labels).toEqual([
      [5, 6, 7, 8, -100, -100],
      [-100, 4, -100, -100, -100, -100],
    ]);
    expect(a.attentionMask).toEqual([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 0, 0, 0, 0],
    ]);
    expect(a.positionIds).toBeUndefined();
  });

  it('bad input: too long without truncation, label length, bad ids, bad options', () => {
    const err = (f: () => unknown, text: string) => {
      expect(f).toThrow(CausalLmInputError);
      expect(f).toThrow(text);
    };
    err(
      () => collateCausalLm([{ inputIds: [1] }, { inputIds: [1, 2, 3] }], { padTokenId: 0, maxLength: 2 }),
      'collateCausalLm: examples[1].inputIds: expected at most maxLength = 2 tokens, got 3',
    );
    err(() => collateCausalLm([{ inputIds: [1, 2], labels: [1] }], { padTokenId: 0 }), 'collateCausalLm: examples[0].labels: expected 2 labels (one per input id), got 1');
    err(() => collateCausalLm([{ inputIds: [1, 2], labels: [1, -5] }], { padTokenId: 0 }), 'examples[0].labels: expected integer token ids ≥ 0 or -100');
    err(() => collateCausalLm([{ inputIds: [1, 2.5] }], { padTokenId: 0 }), 'examples[0].inputIds: expected a list of integer token ids ≥ 0');
    err(() => collateCausalLm([{ inputIds: [] }], { padTokenId: 0 }), 'examples[0].inputIds: expected at least one token');
    err(() => collateCausalLm([], { padTokenId: 0 }), 'collateCausalLm: examples: expected at least one example');
    err(() => collateCausalLm([{ inputIds: [1] }], { padTokenId: null as never }), 'collateCausalLm: padTokenId: expected an integer ≥ 0, got null');
    err(() => collateCausalLm([{ inputIds: [1] }], { padTokenId: 0, paddingSide: 'middle' as never }), `paddingSide: expected 'right' or 'left', got "middle"`);
  });
});
