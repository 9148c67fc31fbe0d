import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readSafetensors, rawToTypedArray, writeSafetensors } from '@tfjs-peft/core';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { applyPeft, loadPeft, type PeftConfig } from './index';
import { TOYS, sgd } from './testing/toy';
import { findHfPython, REPO_ROOT } from '../../models/src/testing/python';

const { python, reason } = findHfPython();
const hasPeft = python != null && spawnSync(python, ['-c', 'import peft'], { encoding: 'utf8' }).status === 0;
const SCRIPT = resolve(REPO_ROOT, 'packages/adapters/scripts/peft_reference.py');
const py = (args: string[]) => {
  const r = spawnSync(python!, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, TRANSFORMERS_VERBOSITY: 'error' } });
  if (r.status !== 0) throw new Error(`peft_reference.py ${args[0]} failed:\n${r.stderr.split('\n').slice(-8).join('\n')}`);
};

async function logitsOf(file: string): Promise<Float32Array | Int32Array | Uint8Array> {
  return rawToTypedArray((await readSafetensors(file)).tensors.get('logits')!);
}

const METHODS: [string, PeftConfig][] = [
  ['lora', { method: 'lora', r: 4, loraAlpha: 8 }],
  ['dora', { method: 'dora', r: 4, loraAlpha: 8 }],
  ['ia3', { method: 'ia3' }],
  ['ln-tuning', { method: 'ln-tuning', targetModules: ['LayerNorm'] }],
  ['p-tuning-v2', { method: 'p-tuning-v2', numVirtualTokens: 3 }],
  ['prefix-tuning (projection)', { method: 'prefix-tuning', numVirtualTokens: 3 }],
  ['prompt-tuning', { method: 'prompt-tuning', numVirtualTokens: 3 }],
];

describe.skipIf(!hasPeft)(`live interchange with Python PEFT (${reason})`, () => {
  let base = '';
  const toy = TOYS[0]!;
  beforeAll(async () => {
    await useBackend('wasm');
    base = await mkdtemp(join(tmpdir(), 'tfjs-peft-peftbase-'));
    const m = toy.make() as BertForSequenceClassification;
    await m.savePretrained(base);
    const inp = toy.inputs();
    await writeSafetensors(join(base, 'inputs.safetensors'), { input_ids: inp.inputIds!, attention_mask: inp.attentionMask! });
    m.dispose();
  });

  for (const [name, config] of METHODS)
    it(`${name}: trained here, saved, loaded by PeftModel.from_pretrained — same logits`, async () => {
      const model = await BertForSequenceClassification.fromPretrained(base);
      const peft = applyPeft(model, config);
      peft.train();
      await sgd(peft as never, toy.inputs(), toy.loss, 3, 0.5);
      peft.eval();
      const ours = await (peft.forward(toy.inputs()) as { logits: tf.Tensor }).logits.data();
      const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-adapter-'));
      await peft.save(dir);
      py(['run', base, dir, join(dir, 'peft_logits.safetensors')]);
      assertClose(ours, await logitsOf(join(dir, 'peft_logits.safetensors')), `tfjs-peft → PEFT ${name}`, { atol: 2e-5, rtol: 1e-4 });
      peft.dispose();
    });

  it('adapters made by Python PEFT (LoRA, DoRA, IA3, LN tuning, prefix, prompt) load here with PEFT’s logits', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-pyadapters-'));
    py(['make', base, out]);
    for (const type of ['LORA', 'DORA', 'IA3', 'LN_TUNING', 'PREFIX_TUNING', 'PROMPT_TUNING']) {
      const model = await BertForSequenceClassification.fromPretrained(base);
      const peft = await loadPeft(model, join(out, type));
      peft.eval();
      const ours = await (peft.forward(toy.inputs()) as { logits: tf.Tensor }).logits.data();
      assertClose(ours, await logitsOf(join(out, type, 'expected.safetensors')), `PEFT → tfjs-peft ${type}`, { atol: 2e-5, rtol: 1e-4 });
      peft.dispose();
    }
  });
});
describe.skipIf(hasPeft)('live interchange with Python PEFT', () => it.skip(`${reason}; or peft is missing`, () => undefined));
