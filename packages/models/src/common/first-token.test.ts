import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { testBackends, useBackend, assertClose } from '@tfjs-peft/ops/testing';
import { variableGrads, type Module } from '@tfjs-peft/core';
import { BertForSequenceClassification, BertForMaskedLM, BertForTokenClassification, BertModel } from '../bert';
import { RobertaForSequenceClassification, RobertaForMaskedLM } from '../roberta';
import { ViTForImageClassification } from '../vit';
import { FirstTokenOnlyError } from './first-token';

// firstTokenOnly against the full pass (the golden-fixture checks are in bert/ and vit/*.golden.test.ts)
const backends = testBackends();

const bertCfg = {
  model_type: 'bert',
  vocab_size: 40,
  hidden_size: 16,
  num_hidden_layers: 3,
  num_attention_heads: 4,
  intermediate_size: 24,
  max_position_embeddings: 24,
  type_vocab_size: 2,
  num_labels: 3,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
};

/** Loss and every gradient of `model` with and without firstTokenOnly. */
async function compareFull(model: Module, run: (first: boolean) => { logits: tf.Tensor; loss?: tf.Tensor }): Promise<void> {
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
  const grads = async (first: boolean) => {
    const { value, grads: g } = variableGrads(
      () => run(first).loss as tf.Scalar,
      params.map(([, p]) => p.variable),
    );
    const out = { loss: (await value.data())[0]!, g: await Promise.all(params.map(([, p]) => g[p.variable.name]!.data())) };
    tf.dispose([value, ...Object.values(g)]);
    return out;
  };
  const a = run(false);
  const b = run(true);
  assertClose(await b.logits.data(), await a.logits.data(), 'logits', { atol: 1e-5, rtol: 1e-5 });
  tf.dispose([...Object.values(a), ...Object.values(b)].filter((t): t is tf.Tensor => t instanceof tf.Tensor));
  const full = await grads(false);
  const first = await grads(true);
  expect(Math.abs(first.loss - full.loss)).toBeLessThan(1e-5);
  params.forEach(([name], i) => {
    const ref = full.g[i]!;
    let maxRef = 0;
    for (const v of ref) maxRef = Math.max(maxRef, Math.abs(v));
    assertClose(first.g[i]!, ref, `gradient of ${name}`, { atol: 1e-4 * maxRef + 1e-7, rtol: 0 });
  });
}

describe.each(backends)('firstTokenOnly equals the full pass on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const ids = () =>
    tf.tensor2d(
      [
        [2, 7, 9, 11, 3, 0],
        [2, 5, 6, 3, 0, 0],
      ],
      [2, 6],
      'int32',
    );
  const mask = () =>
    tf.tensor2d(
      [
        [1, 1, 1, 1, 1, 0],
        [1, 1, 1, 1, 0, 0],
      ],
      [2, 6],
      'int32',
    );

  it('BERT sequence classification: padding mask, token types, learned prefixes; no leaks', async () => {
    const model = new BertForSequenceClassification(bertCfg);
    const [i, m, labels] = [ids(), mask(), tf.tensor1d([2, 0], 'int32')];
    const tt = tf.tensor2d(
      [
        [0, 0, 0, 1, 1, 1],
        [0, 0, 1, 1, 1, 1],
      ],
      [2, 6],
      'int32',
    );
    // one learned prefix per layer, as prefix tuning / P-Tuning v2 pass them
    const prefixes = [0, 1, 2].map((l) => ({
      key: tf.variable(tf.randomNormal([1, 4, 2, 4], 0, 1, 'float32', 10 + l)),
      value: tf.variable(tf.randomNormal([1, 4, 2, 4], 0, 1, 'float32', 20 + l)),
    }));
    const before = tf.memory().numTensors;
    await compareFull(model, (first) => model.forward({ inputIds: i, attentionMask: m, tokenTypeIds: tt, labels, firstTokenOnly: first }));
    await compareFull(model, (first) => model.forward({ inputIds: i, attentionMask: m, labels, prefixes, firstTokenOnly: first }));
    expect(tf.memory().numTensors).toBe(before);
    const out = model.forward({ inputIds: i, attentionMask: m, firstTokenOnly: true });
    expect(out.lastHiddenState.shape).toEqual([2, 1, 16]);
    tf.dispose([out.logits, out.lastHiddenState, out.poolerOutput!, i, m, labels, tt]);
    prefixes.forEach((p) => tf.dispose([p.key, p.value]));
    model.dispose();
  });

  it('RoBERTa sequence classification (head on <s>) and a one-layer model', async () => {
    const roberta = new RobertaForSequenceClassification({ ...bertCfg, model_type: 'roberta', pad_token_id: 1, max_position_embeddings: 30, type_vocab_size: 1 });
    const oneLayer = new BertForSequenceClassification({ ...bertCfg, num_hidden_layers: 1 });
    const [i, m, labels] = [ids(), mask(), tf.tensor1d([1, 2], 'int32')];
    await compareFull(roberta, (first) => roberta.forward({ inputIds: i, attentionMask: m, labels, firstTokenOnly: first }));
    await compareFull(oneLayer, (first) => oneLayer.forward({ inputIds: i, attentionMask: m, labels, firstTokenOnly: first }));
    tf.dispose([i, m, labels]);
    roberta.dispose();
    oneLayer.dispose();
  });

  it('ViT image classification with a multi-label loss', async () => {
    const model = new ViTForImageClassification({
      model_type: 'vit',
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 32,
      image_size: 16,
      patch_size: 4,
      num_channels: 3,
      num_labels: 3,
      problem_type: 'multi_label_classification',
      hidden_dropout_prob: 0,
      attention_probs_dropout_prob: 0,
    });
    const px = tf.randomNormal([2, 3, 16, 16], 0, 1, 'float32', 5);
    const labels = tf.tensor2d(
      [
        [1, 0, 1],
        [0, 1, 0],
      ],
      [2, 3],
      'float32',
    );
    await compareFull(model, (first) => model.forward({ pixelValues: px, labels, firstTokenOnly: first }));
    tf.dispose([px, labels]);
    model.dispose();
  });

  it('training mode (dropout) runs and trains; the heads that read every token and causal passes refuse it by name', async () => {
    const model = new BertForSequenceClassification({ ...bertCfg, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 });
    model.train();
    const [i, m, labels] = [ids(), mask(), tf.tensor1d([2, 0], 'int32')];
    const before = tf.memory().numTensors;
    const { value, grads } = variableGrads(
      () => model.forward({ inputIds: i, attentionMask: m, labels, firstTokenOnly: true }).loss as tf.Scalar,
      model.trainableParameters().map(([, p]) => p.variable),
    );
    expect(Number.isFinite((await value.data())[0]!)).toBe(true);
    expect(Object.keys(grads)).toHaveLength(model.trainableParameters().length);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);

    const mlm = new BertForMaskedLM(bertCfg);
    const tok = new BertForTokenClassification(bertCfg);
    const rmlm = new RobertaForMaskedLM({ ...bertCfg, model_type: 'roberta', pad_token_id: 1, max_position_embeddings: 30 });
    const decoder = new BertModel({ ...bertCfg, is_decoder: true });
    const n = tf.memory().numTensors;
    expect(() => mlm.forward({ inputIds: i, firstTokenOnly: true })).toThrow(FirstTokenOnlyError);
    expect(() => mlm.forward({ inputIds: i, firstTokenOnly: true })).toThrow(/firstTokenOnly: BertForMaskedLM reads every token/);
    expect(() => tok.forward({ inputIds: i, firstTokenOnly: true })).toThrow(/firstTokenOnly: BertForTokenClassification reads every token/);
    expect(() => rmlm.forward({ inputIds: i, firstTokenOnly: true })).toThrow(/firstTokenOnly: RobertaForMaskedLM reads every token/);
    expect(() => decoder.forward({ inputIds: i, firstTokenOnly: true })).toThrow(/firstTokenOnly: a causal \(decoder\) pass is not supported/);
    expect(() => model.bert.forward({ inputIds: i, causal: true, firstTokenOnly: true })).toThrow(FirstTokenOnlyError);
    expect(tf.memory().numTensors).toBe(n);
    tf.dispose([i, m, labels]);
    [model, mlm, tok, rmlm, decoder].forEach((x) => x.dispose());
  });
});
