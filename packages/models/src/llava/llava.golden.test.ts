import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '@tfjs-peft/core';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { LlavaForConditionalGeneration, LlavaModel, ImageTokenMismatchError, type LlavaLabelledInputs } from './index';
import { GOLDEN_DIR, readGolden, expectOutput, expectGrads, expectSaveLoadRoundTrip, type GoldenCase } from '../testing/golden';

/** The cases `scripts/make_golden.py` writes beside this file (transformers 5, eager attention). */
const HERE = fileURLToPath(new URL('./golden', import.meta.url));
const caseName = (name: string) => relative(GOLDEN_DIR, join(HERE, name));
const caseDir = (name: string) => join(HERE, name);

/** CLIP tower (39), projector (4 with biases), Llama decoder (embeddings + 2 × 9 + norm = 20), untied lm_head. */
const VISION = 3 + 2 + 2 * 16 + 2;
const LM = 1 + 2 * 9 + 1;
const noWarning = (m: string) => expect.fail(`unexpected warning: ${m}`);

const inputsOf = (c: GoldenCase): LlavaLabelledInputs => ({
  inputIds: c.inputs.get('input_ids')!,
  pixelValues: c.inputs.get('pixel_values')!,
  attentionMask: c.inputs.get('attention_mask')!,
  labels: c.inputs.get('labels')!,
});

/** The vision parameters transformers leaves without a gradient: `post_layernorm`, and the layers after the feature layer. */
const UNUSED: Record<string, RegExp> = {
  'llava-default': /^model\.vision_tower\.(post_layernorm|encoder\.layers\.1)\./,
  'llava-full-layers': /^model\.vision_tower\.post_layernorm\./,
  'llava-legacy': /^model\.vision_tower\.post_layernorm\./,
};

/**
 * Not on webgpu yet: `forward` finds the image tokens with `input_ids.dataSync()`, and tfjs-webgpu
 * in Node cannot read a GPU tensor synchronously (its readSync needs OffscreenCanvas). `generate`
 * (ids from arrays) does run on webgpu, in generate.golden.test.ts.
 */
const SYNC_BACKENDS = testBackends().filter((b) => b !== 'webgpu');
describe.skipIf(!testBackends().includes('webgpu'))('LLaVA golden parity on webgpu', () =>
  it.skip('LlavaModel.forward reads input_ids synchronously (dataSync), which tfjs-webgpu in Node cannot (no OffscreenCanvas)', () => undefined),
);
describe.each(SYNC_BACKENDS)('LLaVA golden parity (transformers 5) on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 100 : 10; // 1e-4

  const cases: [string, string, number][] = [
    ['llava-default', 'vision_feature_layer −2, "default" (CLS dropped), gelu projector, left padding; module-name key layout', VISION + 4 + LM + 1],
    [
      'llava-full-layers',
      'vision_feature_layer [−3, −1] concatenated, "full", projector without bias, tied lm_head, two images in one row; as transformers 5.18 save_pretrained writes it',
      VISION + 2 + LM,
    ],
    ['llava-legacy', 'vision_feature_layer −1, silu projector; transformers 4 layout (language_model.model.*, vision_tower.vision_model.*)', VISION + 4 + LM + 1],
  ];
  for (const [name, what, params] of cases)
    it(`${name} (${what}): logits, image features, loss over the answer, every gradient`, async () => {
      const c = await readGolden(caseName(name));
      const model = await LlavaForConditionalGeneration.fromPretrained(caseDir(name), { onWarning: noWarning });
      expect(model.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
      expect(model.namedParameters()).toHaveLength(params);
      const inputs = inputsOf(c);
      const before = tf.memory().numTensors;
      const out = model.forward(inputs);
      await expectOutput(out.logits, c, 'logits', outScale);
      // transformers 5 returns the features of every image concatenated: [images · positions, hidden]
      const flat = tf.reshape(out.imageHiddenStates!, [-1, out.imageHiddenStates!.shape[2]!]);
      await expectOutput(flat, c, 'image_hidden_states', outScale);
      flat.dispose();
      await expectOutput(out.loss!, c, 'loss', outScale);
      tf.dispose([out.logits, out.loss!, out.lastHiddenState, out.imageHiddenStates!]);
      expect(tf.memory().numTensors).toBe(before);
      const unused = model
        .namedParameters()
        .map(([n]) => n)
        .filter((n) => !c.outputs.has(`grad.${n}`));
      expect(unused.length).toBeGreaterThan(0);
      for (const n of unused) expect(UNUSED[name]!.test(n), n).toBe(true);
      model.freeze((n) => unused.includes(n));
      const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
      expect(r.checked).toBe(params - unused.length);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

  it('llava-full-layers: lm_head shares the language model embed_tokens.weight (tie_word_embeddings), the checkpoint has no lm_head.weight', async () => {
    const model = await LlavaForConditionalGeneration.fromPretrained(caseDir('llava-full-layers'), { onWarning: noWarning });
    expect(model.lm_head.weight).toBe(model.model.language_model.embed_tokens.weight);
    expect(model.namedParameters().map(([n]) => n)).not.toContain('lm_head.weight');
    model.dispose();
  });

  for (const name of ['llava-legacy', 'llava-default'])
    it(`LlavaModel loads ${name} (lm_head left out without a warning) with the head's last hidden state`, async () => {
      const c = await readGolden(caseName(name));
      const base = await LlavaModel.fromPretrained(caseDir(name), { onWarning: noWarning });
      expect(base.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
      const head = await LlavaForConditionalGeneration.fromPretrained(caseDir(name), { onWarning: noWarning });
      const { labels: _, ...inputs } = inputsOf(c);
      const [a, b] = [base.forward(inputs), head.forward(inputs)];
      expect(Array.from(await a.lastHiddenState.data())).toEqual(Array.from(await b.lastHiddenState.data()));
      tf.dispose([...Object.values(a), ...Object.values(b)] as tf.Tensor[]);
      base.dispose();
      head.dispose();
    });

  it('an image-token count that differs from images × patches is an ImageTokenMismatchError saying both counts', async () => {
    const c = await readGolden(caseName('llava-default'));
    const model = await LlavaForConditionalGeneration.fromPretrained(caseDir('llava-default'), { onWarning: noWarning });
    const ids = c.inputs.get('input_ids')!;
    const before = tf.memory().numTensors;
    // one image for two rows of placeholders: 8 tokens, 4 features
    const one = tf.slice(c.inputs.get('pixel_values')!, [0, 0, 0, 0], [1, 3, 16, 16]);
    expect(() => model.forward({ inputIds: ids, pixelValues: one })).toThrow(ImageTokenMismatchError);
    expect(() => model.forward({ inputIds: ids, pixelValues: one })).toThrow(
      /image features and image tokens do not match, tokens: 8, features: 4 \(1 image\(s\) × 4 positions each/,
    );
    // a placeholder dropped
    const fewer = tf.tidy(() => tf.where(tf.equal(tf.reshape(tf.range(0, ids.size, 1, 'int32'), ids.shape), 5), tf.onesLike(ids), ids));
    expect(() => model.forward({ inputIds: fewer, pixelValues: c.inputs.get('pixel_values')! })).toThrow(/tokens: 7, features: 8/);
    tf.dispose([one, fewer]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('savePretrained → fromPretrained: the transformers 4 checkpoint saves the module-name layout (model.language_model.*, lm_head.*), the same config, values and logits', async () => {
    const c = await readGolden(caseName('llava-legacy'));
    const a = await LlavaForConditionalGeneration.fromPretrained(caseDir('llava-legacy'), { onWarning: noWarning });
    await expectSaveLoadRoundTrip(
      a,
      (d) => LlavaForConditionalGeneration.fromPretrained(d, { onWarning: noWarning }),
      inputsOf(c),
      async (dir) => {
        const saved = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
        const original = JSON.parse(await readFile(join(caseDir('llava-legacy'), 'config.json'), 'utf8')) as Record<string, unknown>;
        expect(saved).toEqual(original);
        expect(await readFile(join(dir, 'config.json'), 'utf8')).toContain('"initializer_factor": 1.0');
        const keys = [...(await readSafetensors(join(dir, 'model.safetensors'))).tensors.keys()];
        expect([...keys].sort()).toEqual(
          a
            .namedParameters()
            .map(([n]) => n)
            .sort(),
        );
        expect(keys.filter((k) => !/^(model\.(language_model|vision_tower|multi_modal_projector)\.|lm_head\.weight$)/.test(k))).toEqual([]);
      },
    );
  });
});
