import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { DistilBertForSequenceClassification, DistilBertForMaskedLM, DistilBertModel, parseDistilBertConfig } from './index';
import { GOLDEN_DIR, readGolden, expectOutput, expectFirstPosition, expectGrads, expectSaveLoadRoundTrip } from '../testing/golden';

/** The cases `scripts/make_golden.py` writes beside this file (transformers' DistilBERT). */
const HERE = fileURLToPath(new URL('./golden', import.meta.url));
const caseName = (name: string) => relative(GOLDEN_DIR, join(HERE, name));
const caseDir = (name: string) => join(HERE, name);

describe.each(testBackends())('DistilBERT golden parity (transformers) on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 100 : 10; // 1e-4

  for (const firstTokenOnly of [false, true])
    it(`distilbert-seqcls${firstTokenOnly ? ' (firstTokenOnly)' : ''}: logits, hidden states, loss and every parameter's gradient`, async () => {
      const c = await readGolden(caseName('distilbert-seqcls'));
      const model = await DistilBertForSequenceClassification.fromPretrained(caseDir('distilbert-seqcls'));
      const inputs = { inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask'), labels: c.inputs.get('labels'), firstTokenOnly };
      const before = tf.memory().numTensors;
      const out = model.forward(inputs);
      await expectOutput(out.logits, c, 'logits', outScale);
      if (firstTokenOnly) await expectFirstPosition(out.lastHiddenState, c, 'last_hidden_state', outScale);
      else await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
      await expectOutput(out.loss!, c, 'loss', outScale);
      tf.dispose([out.logits, out.loss!, out.lastHiddenState]);
      expect(tf.memory().numTensors).toBe(before);
      const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
      expect(r.checked).toBe(model.namedParameters().length);
      expect(r.checked).toBe(4 + 2 * 16 + 4);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

  it('distilbert-mlm: tied vocab_projector, logits, loss ignoring −100, gradients', async () => {
    const c = await readGolden(caseName('distilbert-mlm'));
    const model = await DistilBertForMaskedLM.fromPretrained(caseDir('distilbert-mlm'));
    expect(model.vocab_projector.weight).toBe(model.distilbert.embeddings.word_embeddings.weight);
    const inputs = { inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask'), labels: c.inputs.get('labels') };
    const out = model.forward(inputs);
    await expectOutput(out.logits, c, 'logits', outScale);
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    await expectOutput(out.loss!, c, 'loss', outScale);
    tf.dispose([out.logits, out.loss!, out.lastHiddenState]);
    const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
    expect(r.checked).toBe(4 + 2 * 16 + 5);
    expect(() => model.forward({ ...inputs, firstTokenOnly: true })).toThrow(/reads every token/);
    model.dispose();
  });

  it('DistilBertModel loads a head checkpoint (distilbert. prefix stripped, head ignored)', async () => {
    const c = await readGolden(caseName('distilbert-seqcls'));
    const model = await DistilBertModel.fromPretrained(caseDir('distilbert-seqcls'), { onWarning: () => undefined });
    const out = model.forward({ inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask') });
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    out.lastHiddenState.dispose();
    model.dispose();
  });

  const loaders: [string, (dir: string) => Promise<DistilBertForSequenceClassification | DistilBertForMaskedLM>][] = [
    ['distilbert-seqcls', (dir) => DistilBertForSequenceClassification.fromPretrained(dir)],
    ['distilbert-mlm', (dir) => DistilBertForMaskedLM.fromPretrained(dir)],
  ];
  for (const [name, load] of loaders)
    it(`${name}: savePretrained → fromPretrained gives the same parameters and logits`, async () => {
      const c = await readGolden(caseName(name));
      const inputs = { inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask') };
      await expectSaveLoadRoundTrip(await load(caseDir(name)), load, inputs);
    });
});

describe('DistilBERT config.json validation', () => {
  const base = { model_type: 'distilbert', vocab_size: 60, dim: 16, n_layers: 2, n_heads: 2, hidden_dim: 32 };
  it('a wrong field type is a ConfigError naming the file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-distilbert-cfg-'));
    try {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ ...base, n_layers: '2' }));
      const err = await DistilBertModel.fromPretrained(dir).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toMatch(/config\.json/);
      expect(err!.message).toMatch(/"n_layers" expected a positive integer/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('rejects dim not divisible by n_heads, an unknown activation and sinusoidal positions by field', () => {
    expect(() => parseDistilBertConfig({ ...base, n_heads: 5 })).toThrow(/dim 16 is not a multiple of n_heads 5/);
    expect(() => parseDistilBertConfig({ ...base, activation: 'mish' })).toThrow(/"activation" = "mish"/);
    expect(() => parseDistilBertConfig({ ...base, sinusoidal_pos_embds: true })).toThrow(ConfigError);
    expect(() => parseDistilBertConfig({ ...base, model_type: 'bert' })).toThrow(/"model_type"/);
  });
});
