import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { cloneModule, type Module } from '@tfjs-peft/core';
import { applyPeft, loadPeft, type PeftConfig } from './index';
import { TOYS, sgd, type Toy } from './testing/toy';

/**
 * Every method on tiny BERT, ViT and BLIP. A method added later joins by being added to METHODS:
 * config per model, whether it starts as a no-op, whether it merges, which base parameters it may train.
 */
interface MethodCase {
  name: string;
  config: (toy: Toy) => PeftConfig;
  noOpAtStart: boolean;
  merges: boolean;
  /** base parameters (not adapter weights) the method trains */
  trainsBase?: RegExp;
  /** models it applies to */
  models?: string[];
  /** SGD learning rate per toy model (default 0.05); IA3's vectors see tiny gradients on HF-initialised BLIP */
  lr?: Record<string, number>;
}

const blipScope = (c: object): PeftConfig => ({ method: 'policy', modules: { vision_model: 'frozen', text_encoder: 'frozen', text_decoder: c as never } });
const on = (toy: Toy, c: object): PeftConfig => (toy.name === 'blip' ? blipScope(c) : (c as PeftConfig));

export const METHODS: MethodCase[] = [
  { name: 'lora', config: (t) => on(t, { method: 'lora', r: 4, loraAlpha: 8 }), noOpAtStart: true, merges: true },
  { name: 'lora (rsLoRA, dropout)', config: (t) => on(t, { method: 'lora', r: 2, loraAlpha: 4, useRslora: true, loraDropout: 0.1 }), noOpAtStart: true, merges: true },
  { name: 'dora', config: (t) => on(t, { method: 'dora', r: 4, loraAlpha: 8 }), noOpAtStart: true, merges: true },
  { name: 'ia3', config: (t) => on(t, { method: 'ia3' }), noOpAtStart: true, merges: true, lr: { blip: 50 } },
  { name: 'ln-tuning', config: (t) => on(t, { method: 'ln-tuning' }), noOpAtStart: true, merges: true },
  { name: 'prefix-tuning', config: (t) => on(t, { method: 'prefix-tuning', numVirtualTokens: 3 }), noOpAtStart: false, merges: false, models: ['bert', 'vit', 'blip'] },
  { name: 'p-tuning-v2', config: (t) => on(t, { method: 'p-tuning-v2', numVirtualTokens: 3 }), noOpAtStart: false, merges: false },
  { name: 'prompt-tuning', config: () => ({ method: 'prompt-tuning', numVirtualTokens: 3 }), noOpAtStart: false, merges: false, models: ['bert'] },
  { name: 'bitfit', config: (t) => on(t, { method: 'bitfit' }), noOpAtStart: true, merges: false, trainsBase: /bias$/, lr: { vit: 0.01 } },
  {
    name: 'ffn-only',
    config: (t) => on(t, { method: 'ffn-only' }),
    noOpAtStart: true,
    merges: false,
    trainsBase: /(intermediate\.dense|output\.dense|mlp\.fc\d)\.(weight|bias)$/,
    lr: { vit: 0.01 },
  },
  {
    name: 'attention-only',
    config: (t) => on(t, { method: 'attention-only' }),
    noOpAtStart: true,
    merges: false,
    trainsBase: /(query|key|value|attention\.output\.dense|qkv|projection)\.(weight|bias)$/,
  },
  { name: 'full', config: (t) => on(t, { method: 'full' }), noOpAtStart: true, merges: false, trainsBase: /./ },
];

async function values(m: Module): Promise<Map<string, number[]>> {
  return new Map(await Promise.all(m.namedParameters().map(async ([n, p]) => [n, Array.from(await p.value.data())] as [string, number[]])));
}

describe.each(TOYS)('conformance on tiny $name', (toy) => {
  beforeAll(() => useBackend('cpu'));

  for (const mc of METHODS.filter((m) => !m.models || m.models.includes(toy.name))) {
    it(`${mc.name}: creating and disposing the wrapped model leaves no tensor behind`, () => {
      const before = tf.memory().numTensors;
      const peft = applyPeft(
        toy.make(),
        mc.name === 'ln-tuning' && toy.name === 'bert'
          ? { method: 'ln-tuning', masks: { 'bert.embeddings.LayerNorm': { weight: new Uint8Array(16).fill(1), bias: new Uint8Array(16) } } }
          : mc.config(toy),
      );
      peft.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`${mc.name}`, async () => {
      const model = toy.make();
      model.eval();
      const inputs = toy.inputs();
      const reference = cloneModule(model);
      const baseOut = Array.from(await toy.output(model.forward(inputs as never)).data());
      const peft = applyPeft(model, mc.config(toy));
      model.train();
      if (mc.name.includes('dropout')) model.eval(); // keep the comparison deterministic
      // a zero-initialised method reproduces the base model
      const start = Array.from(await toy.output(peft.forward(inputs)).data());
      if (mc.noOpAtStart) expect(Math.max(...start.map((v, i) => Math.abs(v - baseOut[i]!)))).toBeLessThan(1e-5);
      // only the method's parameters are trainable
      for (const [n, p] of peft.trainableParameters()) {
        const isAdapter = /lora_|ia3_l|ln_tuning_layers|modules_to_save|prompt_encoder/.test(n);
        if (!isAdapter) expect(mc.trainsBase?.test(n), `${n} should not be trainable`).toBe(true);
        expect(p.requiresGrad).toBe(true);
      }
      expect(peft.trainableParameters().length).toBeGreaterThan(0);
      // training lowers the loss, leaks nothing after the first step, and leaves frozen weights bit-identical
      await sgd(peft as never, inputs, toy.loss, 1, mc.lr?.[toy.name] ?? 0.05);
      const tensors = tf.memory().numTensors;
      const losses = await sgd(peft as never, inputs, toy.loss, 8, mc.lr?.[toy.name] ?? 0.05);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      const ref = await values(reference);
      const after = new Map((await values(peft.base_model)).entries());
      for (const [n, v] of ref) {
        const cur = after.get(n) ?? after.get(n.replace(/\.(weight|bias)$/, '.base_layer.$1')) ?? after.get(n.replace(/^(.*)\.(weight|bias)$/, '$1.original_module.$2'));
        expect(cur, n).toBeDefined();
        const trainable = !!mc.trainsBase?.test(n) && (toy.name !== 'blip' || n.startsWith('text_decoder.'));
        if (!trainable) expect(cur, `${n} must stay bit-identical`).toEqual(v);
      }
      // merged equals unmerged
      peft.eval();
      const trained = Array.from(await toy.output(peft.forward(inputs)).data());
      if (mc.merges) {
        peft.merge();
        const merged = Array.from(await toy.output(peft.forward(inputs)).data());
        expect(Math.max(...merged.map((v, i) => Math.abs(v - trained[i]!)))).toBeLessThan(2e-5);
        peft.unmerge();
        const unmerged = Array.from(await toy.output(peft.forward(inputs)).data());
        expect(Math.max(...unmerged.map((v, i) => Math.abs(v - trained[i]!)))).toBeLessThan(2e-5);
      } else if (/prefix|p-tuning|prompt/.test(mc.name)) {
        expect(() => peft.merge()).toThrow(/adds inputs and cannot be merged into weights/);
      } else {
        peft.merge(); // selective methods train the weights themselves: nothing to fold
        const same = Array.from(await toy.output(peft.forward(inputs)).data());
        expect(same).toEqual(trained);
      }
      // save → load on a fresh copy of the base reproduces the outputs
      const dir = await mkdtemp(join(tmpdir(), `tfjs-peft-conf-${toy.name}-`));
      await peft.save(dir);
      const fresh = toy.make();
      fresh.eval();
      const loaded = await loadPeft(fresh, dir);
      loaded.eval();
      const again = Array.from(await toy.output(loaded.forward(inputs)).data());
      expect(Math.max(...again.map((v, i) => Math.abs(v - trained[i]!)))).toBeLessThan(1e-5);
      expect(loaded.trainableParameters()).toEqual([]); // loaded adapters are frozen unless isTrainable
      for (const m of [peft, reference, loaded]) m.dispose();
      tf.dispose(Object.values(inputs));
    });
  }
});
