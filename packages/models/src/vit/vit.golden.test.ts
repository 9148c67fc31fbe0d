import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { ViTForImageClassification, ViTModel, ViTImageProcessor } from './index';
import { GOLDEN_DIR, GOLDEN_MISSING, hasGolden, readGolden, expectOutput, expectFirstPosition, expectGrads } from '../testing/golden';

describe.skipIf(!hasGolden).each(testBackends())('ViT golden parity on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 10 : 1;

  // firstTokenOnly: the last layer for the CLS token only — the same logits, loss and gradients
  for (const firstTokenOnly of [false, true])
    it(`vit-imgcls${firstTokenOnly ? ' (firstTokenOnly)' : ''}: patch embedding as matmul, pre-LN layers, CLS classifier, loss, all gradients`, async () => {
      const c = await readGolden('vit-imgcls');
      const model = await ViTForImageClassification.fromPretrained(join(GOLDEN_DIR, 'vit-imgcls'));
      const inputs = { pixelValues: c.inputs.get('pixel_values')!, labels: c.inputs.get('labels'), firstTokenOnly };
      const before = tf.memory().numTensors;
      const out = model.forward(inputs);
      await expectOutput(out.logits, c, 'logits', outScale);
      if (firstTokenOnly) await expectFirstPosition(out.lastHiddenState, c, 'last_hidden_state', outScale);
      else await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
      await expectOutput(out.loss!, c, 'loss', outScale);
      tf.dispose([out.logits, out.loss!, out.lastHiddenState]);
      expect(tf.memory().numTensors).toBe(before);
      const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
      expect(r.checked).toBe(40);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

  it('ViTModel loads the classifier checkpoint without its head; wrong image size is a clear error', async () => {
    const c = await readGolden('vit-imgcls');
    const warnings: string[] = [];
    const m = await ViTModel.fromPretrained(join(GOLDEN_DIR, 'vit-imgcls'), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual(['ViTModel: newly initialised (not in the checkpoint), train them before use: pooler.dense.weight, pooler.dense.bias']);
    const out = m.forward({ pixelValues: c.inputs.get('pixel_values')! });
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    expect(() => m.forward({ pixelValues: tf.zeros([1, 3, 48, 48]) })).toThrow(/pixel_values expected \[B,3,32,32\]/);
    tf.dispose([out.lastHiddenState, out.poolerOutput!]);
    m.dispose();
  });
});
describe.skipIf(hasGolden)('ViT golden parity', () => it.skip(GOLDEN_MISSING, () => undefined));

describe('ViTImageProcessor', () => {
  beforeAll(() => useBackend('cpu'));
  it('converts grey/RGBA to RGB, resizes, rescales and normalises to NCHW', async () => {
    const p = ViTImageProcessor.fromConfig({ size: { height: 2, width: 2 }, resample: 2, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.25, 0.5] });
    const grey = { data: Uint8Array.from([0, 255, 255, 0]), width: 2, height: 2, channels: 1 as const };
    const rgba = { data: new Uint8Array(16).fill(255), width: 2, height: 2, channels: 4 as const };
    const t = p.preprocess([grey, rgba]);
    expect(t.shape).toEqual([2, 3, 2, 2]);
    const v = Array.from(await t.data());
    expect(v.slice(0, 4)).toEqual([-1, 1, 1, -1]); // (0/255 − .5)/.5, (1 − .5)/.5
    expect(v.slice(4, 8)).toEqual([-2, 2, 2, -2]); // std .25 on G
    expect(v.slice(12)).toEqual(new Array(12).fill(0).map((_, i) => (i >= 4 && i < 8 ? 2 : 1)));
    t.dispose();
  });
  it('rejects unsupported configs and malformed images with clear errors', () => {
    expect(() => ViTImageProcessor.fromConfig({ size: { shortest_edge: 224 } })).toThrow(/"size" must be \{height, width\}/);
    expect(() => ViTImageProcessor.fromConfig({ resample: 1 })).toThrow(/"resample" = 1 is not supported/);
    const p = ViTImageProcessor.fromConfig({});
    expect(() => p.preprocessOne({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 })).toThrow(/expected 2×2×3 bytes/);
  });
});
