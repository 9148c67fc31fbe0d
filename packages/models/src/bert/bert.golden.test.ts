import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { BertForSequenceClassification, BertForMaskedLM, BertModel } from './index';
import { GOLDEN_DIR, GOLDEN_MISSING, hasGolden, readGolden, expectOutput, expectFirstPosition, expectGrads } from '../testing/golden';

const backends = testBackends();

describe.skipIf(!hasGolden).each(backends)('BERT golden parity on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 10 : 1;

  // firstTokenOnly: the last layer for [CLS] only — the same logits, pooler, loss and gradients
  for (const name of ['bert-seqcls', 'bert-seqcls-regression'])
    for (const firstTokenOnly of [false, true])
      it(`${name}${firstTokenOnly ? ' (firstTokenOnly)' : ''}: logits, hidden states, pooler, loss and every parameter's gradient`, async () => {
        const c = await readGolden(name);
        const model = await BertForSequenceClassification.fromPretrained(join(GOLDEN_DIR, name));
        const inputs = {
          inputIds: c.inputs.get('input_ids')!,
          attentionMask: c.inputs.get('attention_mask'),
          tokenTypeIds: c.inputs.get('token_type_ids'),
          labels: c.inputs.get('labels'),
          firstTokenOnly,
        };
        const before = tf.memory().numTensors;
        const out = model.forward(inputs);
        await expectOutput(out.logits, c, 'logits', outScale);
        if (firstTokenOnly) await expectFirstPosition(out.lastHiddenState, c, 'last_hidden_state', outScale);
        else await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
        await expectOutput(out.poolerOutput!, c, 'pooler_output', outScale);
        await expectOutput(out.loss!, c, 'loss', outScale);
        tf.dispose([out.logits, out.loss!, out.lastHiddenState, out.poolerOutput!]);
        expect(tf.memory().numTensors).toBe(before);
        const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
        expect(r.checked).toBe(41);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });

  it('bert-mlm: tied decoder, logits, loss ignoring −100, gradients', async () => {
    const c = await readGolden('bert-mlm');
    const model = await BertForMaskedLM.fromPretrained(join(GOLDEN_DIR, 'bert-mlm'));
    expect(model.cls.predictions.decoder.weight).toBe(model.bert.embeddings.word_embeddings.weight);
    const inputs = {
      inputIds: c.inputs.get('input_ids')!,
      attentionMask: c.inputs.get('attention_mask'),
      tokenTypeIds: c.inputs.get('token_type_ids'),
      labels: c.inputs.get('labels'),
    };
    const out = model.forward(inputs);
    await expectOutput(out.logits, c, 'logits', outScale);
    await expectOutput(out.loss!, c, 'loss', outScale);
    tf.dispose([out.logits, out.loss!, out.lastHiddenState]);
    const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
    expect(r.checked).toBe(42);
    model.dispose();
  });

  it('BertModel loads a head checkpoint (bert. prefix stripped, head ignored)', async () => {
    const c = await readGolden('bert-seqcls');
    const warnings: string[] = [];
    const model = await BertModel.fromPretrained(join(GOLDEN_DIR, 'bert-seqcls'), { onWarning: (m) => warnings.push(m) });
    const out = model.forward({ inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask'), tokenTypeIds: c.inputs.get('token_type_ids') });
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    expect(warnings).toEqual([]);
    tf.dispose([out.lastHiddenState, out.poolerOutput!]);
    model.dispose();
  });
});
describe.skipIf(hasGolden)('BERT golden parity', () => it.skip(GOLDEN_MISSING, () => undefined));
