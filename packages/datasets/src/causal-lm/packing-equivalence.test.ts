import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '@tfjs-peft/models/llama';
import { collatePacked, packSequences, type TokenizedExample } from './index';

const VOCAB = 40;
const config = {
  model_type: 'llama',
  vocab_size: VOCAB,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  pad_token_id: 0,
  use_cache: false,
};

/** a deterministic pseudo-random id in 1…VOCAB−1 */
const id = (k: number) => 1 + ((k * 7919 + 13) % (VOCAB - 1));
// three SFT-like examples: a prompt (labels −100) then a response
const examples: TokenizedExample[] = [
  [7, 3],
  [5, 4],
  [4, 6],
].map(([prompt, response], e) => {
  const inputIds = Array.from({ length: prompt! + response! }, (_, t) => id(e * 31 + t));
  return { inputIds, labels: inputIds.map((x, t) => (t < prompt! ? -100 : x)) };
});
const BLOCK = 32; // 10 + 9 + 10 = 29 tokens and 3 of padding

beforeAll(() => useBackend('cpu'));

async function expectPackedEqualsSeparate(model: LlamaForCausalLM, exs: TokenizedExample[]): Promise<{ logits: number[][][]; loss: number }> {
  const batch = collatePacked(packSequences(exs, { blockSize: BLOCK, padTokenId: 0 }));
  const packed = model.forward({ inputIds: batch.inputIds, positionIds: batch.positionIds, labels: batch.labels });
  const logits = (await packed.logits.array()) as number[][][];
  let offset = 0;
  let weighted = 0;
  let count = 0;
  for (const ex of exs) {
    const n = ex.inputIds.length;
    const ids = tf.tensor2d(ex.inputIds, [1, n], 'int32');
    const labels = tf.tensor2d(ex.labels ?? ex.inputIds, [1, n], 'int32');
    const alone = model.forward({ inputIds: ids, labels });
    const own = (await alone.logits.array()) as number[][][];
    for (let t = 0; t < n; t++) for (let v = 0; v < VOCAB; v++) expect(logits[0]![offset + t]![v]).toBeCloseTo(own[0]![t]![v]!, 4);
    const labelled = (ex.labels ?? ex.inputIds).slice(1).filter((l) => l !== -100).length;
    weighted += (await alone.loss!.data())[0]! * labelled;
    count += labelled;
    offset += n;
    tf.dispose([ids, labels, alone.logits, alone.loss!, alone.lastHiddenState]);
  }
  const loss = (await packed.loss!.data())[0]!;
  expect(loss).toBeCloseTo(weighted / count, 5);
  tf.dispose([packed.logits, packed.loss!, packed.lastHiddenState]);
  tf.dispose(Object.values(batch));
  return { logits, loss };
}

describe('a packed block on LlamaForCausalLM (use_cache false, no attention mask) is its examples run one by one', () => {
  it('per-position logits and the loss (the label-weighted mean of the examples’ losses) match; contiguous positions or raw labels would not', async () => {
    const model = new LlamaForCausalLM(config);
    // weights large enough that attending across a boundary would show in the logits
    for (const [, p] of model.namedParameters()) {
      if (p.shape.length === 2) p.value.assign(tf.tidy(() => tf.mul(p.value, 15)));
    }
    const before = tf.memory().numTensors;
    expect(packSequences(examples, { blockSize: BLOCK, padTokenId: 0 })).toHaveLength(1);
    // SFT examples (prompt labels −100) and plain language modelling (every token a label)
    const { logits } = await expectPackedEqualsSeparate(model, examples);
    const plain = examples.map((e) => ({ inputIds: e.inputIds }));
    const { loss } = await expectPackedEqualsSeparate(model, plain);

    // the test can fail: one sequence of positions 0…31 lets example 2 attend to example 1
    const batch = collatePacked(packSequences(plain, { blockSize: BLOCK, padTokenId: 0 }));
    const contiguous = model.forward({ inputIds: batch.inputIds });
    const c = (await contiguous.logits.array()) as number[][][];
    const drift = Math.max(...c[0]![12]!.map((x, v) => Math.abs(x - logits[0]![12]![v]!)));
    expect(drift).toBeGreaterThan(1e-2);
    // and labels without −100 at each example's first token put loss on the boundaries
    const raw = tf.tensor2d(plain.flatMap((e) => e.inputIds).concat([-100, -100, -100]), [1, BLOCK], 'int32');
    const crossing = model.forward({ inputIds: batch.inputIds, positionIds: batch.positionIds, labels: raw });
    expect(Math.abs((await crossing.loss!.data())[0]! - loss)).toBeGreaterThan(1e-3);

    tf.dispose([contiguous.logits, contiguous.lastHiddenState, crossing.logits, crossing.loss!, crossing.lastHiddenState, raw]);
    tf.dispose(Object.values(batch));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
