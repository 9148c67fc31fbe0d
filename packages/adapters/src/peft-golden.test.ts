import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertClose, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { loadPeft, adapterTensors } from './index';
import { GOLDEN_DIR, GOLDEN_MISSING, hasGolden, readGolden, expectOutput } from './testing/golden';

/** Cases in ../shared (CI has it) and the ones kept beside their method (`dora/scripts/make_golden.py`). */
const SHARED_CASES = ['peft-lora-bert', 'peft-ia3-bert', 'peft-lntuning-bert'].map((n) => join(GOLDEN_DIR, n));
const OWN_CASES = [fileURLToPath(new URL('./dora/golden/peft-dora-bert', import.meta.url))];
const CASES = [...(hasGolden ? SHARED_CASES : []), ...OWN_CASES];
const nameOf = (dir: string) => dir.split(/[\\/]/).pop()!;

describe.each(testBackends())('PEFT golden adapters on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 10 : 1;

  for (const dir of CASES) {
    const name = nameOf(dir);
    it(`${name}: loads PEFT's adapter folder; outputs, base outputs, gradients, merged model and merged weights match`, async () => {
      const c = await readGolden(relative(GOLDEN_DIR, dir));
      const model = await BertForSequenceClassification.fromPretrained(dir);
      const peft = await loadPeft(model, join(dir, 'adapter'), { isTrainable: true });
      const inputs = {
        inputIds: c.inputs.get('input_ids')!,
        attentionMask: c.inputs.get('attention_mask'),
        tokenTypeIds: c.inputs.get('token_type_ids'),
        labels: c.inputs.get('labels'),
      };
      const before = tf.memory().numTensors;
      const out = peft.forward(inputs) as { logits: tf.Tensor; loss: tf.Tensor; lastHiddenState: tf.Tensor; poolerOutput: tf.Tensor };
      await expectOutput(out.logits, c, 'logits', outScale);
      await expectOutput(out.loss, c, 'loss', outScale);
      await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
      tf.dispose(Object.values(out));
      // base behaviour with the adapter disabled
      const off = peft.disableAdapters();
      const base = peft.forward(inputs) as { logits: tf.Tensor; loss: tf.Tensor };
      await expectOutput(base.logits, c, 'base.logits', outScale);
      off.restore();
      tf.dispose(Object.values(base));
      expect(tf.memory().numTensors).toBe(before);
      // gradients of every adapter tensor, by PEFT key
      const tensors = adapterTensors(peft, peft.entries[0]!).filter((t) => t.parameter);
      const { value, grads } = tf.variableGrads(
        () => (peft.forward(inputs) as { loss: tf.Scalar }).loss,
        tensors.map((t) => t.parameter!.variable),
      );
      value.dispose();
      for (const t of tensors) {
        const ref = c.outputs.get(`grad.${t.key}`)!;
        expect(ref, `grad.${t.key}`).toBeDefined();
        let max = 0;
        for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i]!));
        assertClose(await grads[t.parameter!.variable.name]!.data(), ref, `${name} grad.${t.key}`, { atol: tol * max + 1e-6, rtol: 0 });
      }
      tf.dispose(Object.values(grads));
      // merged == unmerged, then mergeAndUnload gives PEFT's merged weights
      peft.merge();
      const merged = peft.forward(inputs) as { logits: tf.Tensor };
      await expectOutput(merged.logits, c, 'merged.logits', outScale);
      tf.dispose(Object.values(merged));
      peft.unmerge();
      const plain = peft.mergeAndUnload();
      const params = new Map(plain.namedParameters());
      for (const key of [...c.outputs.keys()].filter((k) => k.startsWith('merged_param.'))) {
        const hf = key.slice('merged_param.'.length);
        expect(params.has(hf), hf).toBe(true);
        await expectOutput(params.get(hf)!.value, c, key, outScale);
      }
      expect(plain.namedModules().some(([n]) => /base_layer|lora_|ia3_|ln_tuning|modules_to_save/.test(n))).toBe(false);
      const final = plain.forward(inputs);
      await expectOutput(final.logits, c, 'merged.logits', outScale);
      plain.dispose();
    });
  }
});
describe.skipIf(hasGolden)('PEFT golden adapters in ../shared', () => it.skip(`${GOLDEN_MISSING} (the DoRA case in the repository still runs)`, () => undefined));
