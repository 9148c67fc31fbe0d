/**
 * Live interchange with Python PEFT on decoders: every method trained here on a tiny Llama / Qwen2
 * (GQA) with the causal-LM loss, saved, and loaded by `PeftModel.from_pretrained` on transformers'
 * LlamaForCausalLM / Qwen2ForCausalLM gives our logits; adapters PEFT makes with its default targets
 * (`task_type="CAUSAL_LM"`) load here with PEFT's logits. Skipped, saying why, without Python PEFT.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { readSafetensors, rawToTypedArray } from '@tfjs-peft/core';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '@tfjs-peft/models/llama';
import { Qwen2ForCausalLM } from '@tfjs-peft/models/qwen2';
import { applyPeft, loadPeft, type PeftConfig } from '../index';
import { sgd } from '../testing/toy';
import { findHfPython, REPO_ROOT } from '../../../models/src/testing/python';

const { python, reason } = findHfPython();
const hasPeft = python != null && spawnSync(python, ['-c', 'import peft'], { encoding: 'utf8' }).status === 0;
const SCRIPT = resolve(REPO_ROOT, 'packages/adapters/scripts/peft_reference.py');
const py = (args: string[]) => {
  const r = spawnSync(python!, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, TRANSFORMERS_VERBOSITY: 'error' } });
  if (r.status !== 0) throw new Error(`peft_reference.py ${args[0]} failed:\n${r.stderr.split('\n').slice(-8).join('\n')}`);
};
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
/** base models (config.json, model.safetensors, inputs.safetensors) of the golden cases */
const BASES = [
  { cls: LlamaForCausalLM, dir: join(GOLDEN, 'peft-lora-llama') },
  { cls: Qwen2ForCausalLM, dir: join(GOLDEN, 'peft-lntuning-qwen2') },
] as const;

const METHODS: [string, PeftConfig][] = [
  ['lora', { method: 'lora', r: 4, loraAlpha: 8 }],
  ['dora', { method: 'dora', r: 4, loraAlpha: 8 }],
  ['ia3', { method: 'ia3' }],
  ['ln-tuning', { method: 'ln-tuning' }],
  ['p-tuning-v2', { method: 'p-tuning-v2', numVirtualTokens: 3 }],
  ['prefix-tuning (projection)', { method: 'prefix-tuning', numVirtualTokens: 3 }],
  ['prompt-tuning', { method: 'prompt-tuning', numVirtualTokens: 3 }],
];

async function inputsOf(dir: string): Promise<Record<string, tf.Tensor>> {
  const t = (await readSafetensors(join(dir, 'inputs.safetensors'))).tensors;
  const int = (k: string) => tf.tensor(rawToTypedArray(t.get(k)!, k), t.get(k)!.shape, 'int32');
  return { inputIds: int('input_ids'), attentionMask: int('attention_mask'), labels: int('labels') };
}
const logitsOf = async (file: string) => rawToTypedArray((await readSafetensors(file)).tensors.get('logits')!);

describe.skipIf(!hasPeft)(`live interchange with Python PEFT on decoders (${reason})`, () => {
  beforeAll(() => useBackend('cpu'));

  for (const base of BASES)
    for (const [name, config] of METHODS)
      it(`${base.cls.name} ${name}: trained here with the LM loss, saved, loaded by PeftModel.from_pretrained — same logits`, async () => {
        const x = await inputsOf(base.dir);
        const peft = applyPeft(await base.cls.fromPretrained(base.dir), config);
        peft.train();
        const losses = await sgd(peft as never, x, (o) => (o as { loss: tf.Scalar }).loss, 3, 0.5);
        expect(losses[2]).toBeLessThan(losses[0]!);
        peft.eval();
        const { inputIds, attentionMask } = x;
        const out = peft.forward({ inputIds, attentionMask }) as { logits: tf.Tensor };
        const ours = await out.logits.data();
        const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-decoder-adapter-'));
        await peft.save(dir);
        py(['run', base.dir, dir, join(dir, 'peft_logits.safetensors'), base.cls.name]);
        assertClose(ours, await logitsOf(join(dir, 'peft_logits.safetensors')), `tfjs-peft → PEFT ${base.cls.name} ${name}`, { atol: 2e-5, rtol: 1e-4 });
        tf.dispose([...Object.values(x), ...Object.values(out)]);
        peft.dispose();
      });

  for (const base of BASES)
    it(`${base.cls.name}: adapters made by Python PEFT with its default targets (LoRA, DoRA, IA3, LN tuning, prefix, prompt) load here with PEFT's logits`, async () => {
      const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-pydecoder-'));
      py(['make', base.dir, out, base.cls.name, 'CAUSAL_LM']);
      const { inputIds, attentionMask, labels } = await inputsOf(base.dir);
      for (const type of ['LORA', 'DORA', 'IA3', 'LN_TUNING', 'PREFIX_TUNING', 'PROMPT_TUNING']) {
        const peft = await loadPeft(await base.cls.fromPretrained(base.dir), join(out, type));
        peft.eval();
        const o = peft.forward({ inputIds, attentionMask }) as { logits: tf.Tensor };
        assertClose(await o.logits.data(), await logitsOf(join(out, type, 'expected.safetensors')), `PEFT → tfjs-peft ${base.cls.name} ${type}`, { atol: 2e-5, rtol: 1e-4 });
        tf.dispose(Object.values(o));
        peft.dispose();
      }
      tf.dispose([inputIds, attentionMask, labels]);
    });
});
describe.skipIf(hasPeft)('live interchange with Python PEFT on decoders', () => it.skip(`${reason}; or peft is missing`, () => undefined));
