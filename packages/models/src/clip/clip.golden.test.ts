import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ShapeError, readSafetensors } from '@tfjs-peft/core';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { CLIPVisionModel, CLIPVisionModelWithProjection, type CLIPVisionInputs } from './index';
import { GOLDEN_DIR, readGolden, expectOutput, expectGrads, expectSaveLoadRoundTrip, type GoldenCase } from '../testing/golden';

/** The cases `scripts/make_golden.py` writes beside this file (transformers 5, eager attention). */
const HERE = fileURLToPath(new URL('./golden', import.meta.url));
const caseName = (name: string) => relative(GOLDEN_DIR, join(HERE, name));
const caseDir = (name: string) => join(HERE, name);

/** class + patch + position embeddings, pre_layrnorm, 2 × (4 projections + 2 MLP linears + 2 norms, with biases), post_layernorm */
const VISION_PARAMS = 3 + 2 + 2 * (8 + 4 + 4) + 2;

const noWarning = (m: string) => expect.fail(`unexpected warning: ${m}`);

/** transformers' loss in the script: sum(pooled · W1) + sum(hidden_states[−2] · W2). */
function lossOf(pooled: tf.Tensor, hidden: tf.Tensor[], c: GoldenCase): tf.Scalar {
  return tf.tidy(() => tf.add(tf.sum(tf.mul(pooled, c.inputs.get('loss_weight_pooled')!)), tf.sum(tf.mul(hidden.at(-2)!, c.inputs.get('loss_weight_hidden')!))) as tf.Scalar);
}

async function expectHidden(hidden: tf.Tensor[], last: tf.Tensor, c: GoldenCase, scale: number): Promise<void> {
  expect(hidden).toHaveLength(3);
  expect(hidden[2]).toBe(last);
  for (const i of [0, 1]) await expectOutput(hidden[i]!, c, `hidden_states.${i}`, scale);
}

describe.each(testBackends())('CLIP vision golden parity (transformers 5) on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 100 : 10; // 1e-4

  it('clip-vision-quick-gelu (CLIPVisionModel, transformers 5 layout): last hidden state, pooler output, every hidden state, loss, every gradient', async () => {
    const c = await readGolden(caseName('clip-vision-quick-gelu'));
    const model = await CLIPVisionModel.fromPretrained(caseDir('clip-vision-quick-gelu'), { onWarning: noWarning });
    expect(model.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    const inputs: CLIPVisionInputs = { pixelValues: c.inputs.get('pixel_values')!, outputHiddenStates: true };
    const before = tf.memory().numTensors;
    const out = model.forward(inputs);
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    await expectOutput(out.poolerOutput, c, 'pooler_output', outScale);
    await expectHidden(out.hiddenStates!, out.lastHiddenState, c, outScale);
    const loss = lossOf(out.poolerOutput, out.hiddenStates!, c);
    await expectOutput(loss, c, 'loss', outScale);
    tf.dispose([loss, out.poolerOutput, ...out.hiddenStates!]);
    expect(tf.memory().numTensors).toBe(before);
    const r = await expectGrads(
      model,
      () => {
        const o = model.forward(inputs);
        return lossOf(o.poolerOutput, o.hiddenStates!, c);
      },
      c,
      { tol },
    );
    expect(r.checked).toBe(VISION_PARAMS);
    expect(r.checked).toBe(model.namedParameters().length);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  for (const [name, what] of [
    ['clip-vision-gelu', 'CLIPVisionModelWithProjection, gelu, layer_norm_eps 1e-6'],
    ['clip-full', 'a whole CLIPModel checkpoint: text tower and logit_scale skipped without a warning'],
  ] as const)
    it(`${name} (${what}): image embeds, hidden states, loss, every gradient`, async () => {
      const c = await readGolden(caseName(name));
      const model = await CLIPVisionModelWithProjection.fromPretrained(caseDir(name), { onWarning: noWarning });
      expect(model.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
      const inputs: CLIPVisionInputs = { pixelValues: c.inputs.get('pixel_values')!, outputHiddenStates: true };
      const before = tf.memory().numTensors;
      const out = model.forward(inputs);
      await expectOutput(out.imageEmbeds, c, 'image_embeds', outScale);
      await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
      await expectHidden(out.hiddenStates!, out.lastHiddenState, c, outScale);
      const loss = lossOf(out.imageEmbeds, out.hiddenStates!, c);
      await expectOutput(loss, c, 'loss', outScale);
      tf.dispose([loss, out.imageEmbeds, ...out.hiddenStates!]);
      expect(tf.memory().numTensors).toBe(before);
      const r = await expectGrads(
        model,
        () => {
          const o = model.forward(inputs);
          return lossOf(o.imageEmbeds, o.hiddenStates!, c);
        },
        c,
        { tol },
      );
      expect(r.checked).toBe(VISION_PARAMS + 1);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

  for (const name of ['clip-full', 'clip-vision-gelu'])
    it(`CLIPVisionModel loads the vision_model.* weights of ${name} (no warning about the rest); without hidden states only the two outputs remain`, async () => {
      const c = await readGolden(caseName(name));
      const model = await CLIPVisionModel.fromPretrained(caseDir(name), { onWarning: noWarning });
      expect(model.loadingInfo!.missingKeys).toEqual([]);
      expect(model.namedParameters()).toHaveLength(VISION_PARAMS);
      const before = tf.memory().numTensors;
      const out = model.forward({ pixelValues: c.inputs.get('pixel_values')! });
      expect(out.hiddenStates).toBeUndefined();
      await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
      await expectOutput(out.poolerOutput, c, 'pooler_output', outScale);
      tf.dispose([out.lastHiddenState, out.poolerOutput]);
      expect(tf.memory().numTensors).toBe(before + 0);
      model.dispose();
    });

  it('another image size is a ShapeError naming pixel_values and the expected size (no position interpolation)', async () => {
    const model = await CLIPVisionModel.fromPretrained(caseDir('clip-vision-quick-gelu'));
    const x = tf.zeros([1, 3, 48, 48]);
    expect(() => model.forward({ pixelValues: x })).toThrow(ShapeError);
    expect(() => model.forward({ pixelValues: x })).toThrow(/pixel_values expected \[B,3,32,32\].*interpolate_pos_encoding is not implemented.*got \[1,3,48,48\]/);
    const y = tf.zeros([1, 3, 32, 32]);
    expect(() => model.forward({ pixelValues: y, interpolatePosEncoding: true as false })).toThrow(/interpolate_pos_encoding is not implemented/);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('savePretrained → fromPretrained: a CLIPVisionModel from a CLIPModel checkpoint saves a CLIPVisionConfig and bare keys (transformers 5), the same values and outputs', async () => {
    const c = await readGolden(caseName('clip-full'));
    for (const load of [
      (d: string) => CLIPVisionModel.fromPretrained(d, { onWarning: noWarning }),
      (d: string) => CLIPVisionModelWithProjection.fromPretrained(d, { onWarning: noWarning }),
    ]) {
      const a = await load(caseDir('clip-full'));
      await expectSaveLoadRoundTrip(
        a,
        load,
        { pixelValues: c.inputs.get('pixel_values')! },
        async (dir) => {
          const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
          expect(cfg.model_type).toBe('clip_vision_model');
          expect(cfg.text_config).toBeUndefined();
          expect(cfg.hidden_act).toBe('quick_gelu');
          const keys = [...(await readSafetensors(join(dir, 'model.safetensors'))).tensors.keys()];
          expect([...keys].sort()).toEqual(
            a
              .namedParameters()
              .map(([n]) => n)
              .sort(),
          );
          expect(keys.some((k) => k.startsWith('text_model.') || k === 'logit_scale')).toBe(false);
        },
        'lastHiddenState',
      );
    }
  });
});
