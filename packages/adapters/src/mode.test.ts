import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import type { Module } from '@tfjs-peft/core';
import { applyPeft, loadPeft, type PeftConfig, type PeftModel } from './index';
import { TOYS } from './testing/toy';

/**
 * Training/eval mode: wrappers run in the mode of the module they replace, and `loadPeft` without
 * `isTrainable` leaves the model in eval mode (PEFT's `from_pretrained`), so adapter dropout is off
 * at inference. LoRA with `initLoraWeights: false` (B ≠ 0), so dropout on its path changes the output.
 */
const toy = TOYS[0]!; // tiny BERT, no dropout of its own
const LORA: PeftConfig = { method: 'lora', r: 4, loraAlpha: 8, loraDropout: 0.5, initLoraWeights: false };

async function logits(peft: PeftModel, inputs: Record<string, tf.Tensor>): Promise<number[]> {
  const out = peft.forward(inputs) as Record<string, tf.Tensor>;
  const v = Array.from(await toy.output(out).data());
  tf.dispose(Object.values(out));
  return v;
}

/** Paths of the modules (the handle's whole tree: wrappers, adapter weights, copies, prompt encoders) in train mode. */
const inTrainMode = (m: Module) =>
  m
    .namedModules()
    .filter(([, x]) => x.training)
    .map(([p]) => p || '<root>');
const inEvalMode = (m: Module) =>
  m
    .namedModules()
    .filter(([, x]) => !x.training)
    .map(([p]) => p || '<root>');

async function savedLora(): Promise<string> {
  const peft = applyPeft(toy.make(), LORA);
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-mode-'));
  await peft.save(dir);
  peft.dispose();
  return dir;
}

describe('training / eval mode of adapters', () => {
  beforeAll(() => useBackend('cpu'));

  it('loadPeft leaves the whole model in eval mode: two forwards give identical logits; train() turns dropout on again', async () => {
    const dir = await savedLora();
    const inputs = toy.inputs();
    const fresh = toy.make(); // a new Module is in train mode
    expect(fresh.training).toBe(true);
    const loaded = await loadPeft(fresh, dir);
    expect(inTrainMode(loaded)).toEqual([]);
    expect(loaded.trainableParameters()).toEqual([]);
    expect(loaded.frozenReason).toMatch(/adapter "default" was loaded frozen.*\{ isTrainable: true \}/); // the Trainer's error
    const a = await logits(loaded, inputs);
    const b = await logits(loaded, inputs);
    expect(b).toEqual(a);
    loaded.train();
    expect(inEvalMode(loaded)).toEqual([]);
    const c = await logits(loaded, inputs);
    const d = await logits(loaded, inputs);
    expect(c).not.toEqual(a);
    expect(d).not.toEqual(c);
    loaded.eval();
    expect(await logits(loaded, inputs)).toEqual(a);
    loaded.dispose();
    tf.dispose(Object.values(inputs));
  });

  it('loadPeft onto a PeftModel (another adapter) puts it in eval mode too, as PEFT load_adapter', async () => {
    const dir = await savedLora();
    const inputs = toy.inputs();
    const peft = applyPeft(toy.make(), { method: 'lora', r: 2 });
    peft.train();
    await loadPeft(peft, dir, { adapterName: 'loaded' });
    peft.setAdapter('loaded');
    expect(inTrainMode(peft)).toEqual([]);
    expect(await logits(peft, inputs)).toEqual(await logits(peft, inputs));
    peft.dispose();
    tf.dispose(Object.values(inputs));
  });

  it('loadPeft with isTrainable keeps the mode of the model (PEFT skips eval()); the wrappers follow it', async () => {
    const dir = await savedLora();
    const inputs = toy.inputs();
    const evalModel = toy.make().eval(); // as a model from fromPretrained
    const inEval = await loadPeft(evalModel, dir, { isTrainable: true });
    expect(inEval.frozenReason).toBeNull();
    expect(inEval.trainableParameters().length).toBeGreaterThan(0);
    expect(inTrainMode(inEval)).toEqual([]);
    expect(await logits(inEval, inputs)).toEqual(await logits(inEval, inputs));
    const trainModel = toy.make(); // train mode: dropout on in the loaded adapter
    const inTrain = await loadPeft(trainModel, dir, { isTrainable: true });
    expect(inEvalMode(inTrain)).toEqual([]);
    expect(await logits(inTrain, inputs)).not.toEqual(await logits(inTrain, inputs));
    for (const m of [inEval, inTrain]) m.dispose();
    tf.dispose(Object.values(inputs));
  });

  it('applyPeft on a model in eval mode: deterministic until train(); eval() makes it deterministic again', async () => {
    const inputs = toy.inputs();
    const peft = applyPeft(toy.make().eval(), LORA);
    expect(inTrainMode(peft)).toEqual([]);
    const a = await logits(peft, inputs);
    expect(await logits(peft, inputs)).toEqual(a);
    peft.train();
    expect(inEvalMode(peft)).toEqual([]);
    const b = await logits(peft, inputs);
    expect(b).not.toEqual(a);
    expect(await logits(peft, inputs)).not.toEqual(b);
    peft.eval();
    expect(await logits(peft, inputs)).toEqual(a);
    // an adapter added later to a model in eval mode is in eval mode as well
    peft.addAdapter('second', LORA);
    peft.setAdapter('second');
    expect(inTrainMode(peft)).toEqual([]);
    expect(await logits(peft, inputs)).toEqual(await logits(peft, inputs));
    peft.dispose();
    tf.dispose(Object.values(inputs));
  });

  it('applyPeft on a model in train mode keeps dropout on (training right after applyPeft, as PEFT)', async () => {
    const inputs = toy.inputs();
    const peft = applyPeft(toy.make(), LORA);
    expect(inEvalMode(peft)).toEqual([]);
    expect(await logits(peft, inputs)).not.toEqual(await logits(peft, inputs));
    peft.dispose();
    tf.dispose(Object.values(inputs));
  });

  it('each wrapper takes the mode of the module it replaces (one layer in eval mode, the rest training)', () => {
    const model = toy.make();
    model.getSubmodule('bert.encoder.layer.0').eval();
    const peft = applyPeft(model, LORA);
    const lora = peft.base_model.namedModules().filter(([p]) => /attention\.self\.(query|value)(\.lora_[AB]\.default)?$/.test(p));
    expect(lora.length).toBe(12); // 2 layers × (query, value) × (wrapper, lora_A, lora_B)
    for (const [p, m] of lora) expect(m.training, p).toBe(!p.includes('layer.0.'));
    peft.dispose();
  });

  const others: [string, PeftConfig][] = [
    ['ia3', { method: 'ia3' }],
    ['ln-tuning', { method: 'ln-tuning' }],
    ['prefix-tuning', { method: 'prefix-tuning', numVirtualTokens: 2 }],
    ['p-tuning-v2', { method: 'p-tuning-v2', numVirtualTokens: 2 }],
    ['prompt-tuning', { method: 'prompt-tuning', numVirtualTokens: 2 }],
    ['bitfit', { method: 'bitfit' }],
    ['policy', { method: 'policy', modules: { bert: { method: 'lora', r: 2, loraDropout: 0.5 } }, rest: 'full' }],
  ];
  for (const [name, config] of others) {
    it(`${name}: every module it adds (wrappers, copies, modules_to_save, prompt encoders) follows the model's mode`, async () => {
      const evalPeft = applyPeft(toy.make().eval(), config);
      expect(inTrainMode(evalPeft)).toEqual([]);
      const trainPeft = applyPeft(toy.make(), config);
      expect(inEvalMode(trainPeft)).toEqual([]);
      const dir = await mkdtemp(join(tmpdir(), `tfjs-peft-mode-${name}-`));
      await trainPeft.save(dir);
      const loaded = await loadPeft(toy.make(), dir);
      expect(inTrainMode(loaded)).toEqual([]);
      for (const m of [evalPeft, trainPeft, loaded]) m.dispose();
    });
  }
});
