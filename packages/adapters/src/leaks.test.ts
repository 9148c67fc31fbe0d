import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { manualSeed, type Module } from '@tfjs-peft/core';
import { BertForMaskedLM } from '@tfjs-peft/models/bert';
import { applyPeft, loadPeft, type PeftConfig, type PeftModel } from './index';
import { BERT_CFG, TOYS } from './testing/toy';

/**
 * No tensor outlives what it belongs to: tf.memory()'s tensor count and bytes are the same before
 * and after merge/unmerge cycles, mergeAndUnload (+ disposing the returned model), switching and
 * disabling adapters, save, load (+ dispose) and apply (+ dispose), for every method.
 */
const toy = TOYS[0]!; // tiny BERT for sequence classification (classifier joins modules_to_save)

interface Case {
  name: string;
  config: PeftConfig;
  merges: boolean;
  prompt?: boolean;
}
const CASES: Case[] = [
  { name: 'lora', config: { method: 'lora', r: 4, loraAlpha: 8, initLoraWeights: false }, merges: true },
  { name: 'lora (rsLoRA, dropout)', config: { method: 'lora', r: 2, useRslora: true, loraDropout: 0.5 }, merges: true },
  { name: 'ia3', config: { method: 'ia3' }, merges: true },
  { name: 'ln-tuning', config: { method: 'ln-tuning' }, merges: true },
  {
    name: 'ln-tuning (masks)',
    config: { method: 'ln-tuning', masks: { 'bert.embeddings.LayerNorm': { weight: new Uint8Array(16).fill(1), bias: new Uint8Array(16) } } },
    merges: true,
  },
  { name: 'prefix-tuning', config: { method: 'prefix-tuning', numVirtualTokens: 2 }, merges: false, prompt: true },
  { name: 'p-tuning-v2', config: { method: 'p-tuning-v2', numVirtualTokens: 2 }, merges: false, prompt: true },
  { name: 'prompt-tuning', config: { method: 'prompt-tuning', numVirtualTokens: 2, initTokenIds: [3, 4] }, merges: false, prompt: true },
  { name: 'bitfit', config: { method: 'bitfit' }, merges: false },
  { name: 'ffn-only', config: { method: 'ffn-only' }, merges: false },
  { name: 'attention-only', config: { method: 'attention-only' }, merges: false },
  { name: 'full', config: { method: 'full' }, merges: false },
  { name: 'policy (lora on bert, rest full)', config: { method: 'policy', modules: { bert: { method: 'lora', r: 2 } }, rest: 'full' }, merges: true },
];

const mem = () => {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
};
/** A forward whose outputs are all released. */
const run = (peft: { forward(i: never): unknown }, inputs: Record<string, tf.Tensor>) => tf.tidy(() => void peft.forward(inputs as never));

/** The leak checks run on cpu and wasm (whichever of them this run tests). */
const LEAK_BACKENDS = testBackends().filter((b) => b === 'cpu' || b === 'wasm');
const RUNS = LEAK_BACKENDS.flatMap((backend) => CASES.map((c) => ({ ...c, backend })));

describe.each(RUNS)('no leaks on $backend: $name', (c) => {
  let inputs: Record<string, tf.Tensor>;
  beforeAll(async () => {
    await useBackend(c.backend);
    inputs = toy.inputs();
  });

  it('apply, forward and dispose', () => {
    const before = mem();
    const peft = applyPeft(toy.make(), c.config);
    run(peft, inputs);
    peft.dispose();
    expect(mem()).toEqual(before);
  });

  it('10 merge/unmerge cycles (and merge errors) keep the tensor count and bytes', () => {
    const peft = applyPeft(toy.make(), c.config);
    run(peft, inputs);
    const before = mem();
    let merged: ReturnType<typeof mem> | undefined; // LN tuning keeps a backup of the base while merged
    for (let i = 0; i < 10; i++) {
      if (c.prompt) expect(() => peft.merge()).toThrow(/cannot be merged/);
      else peft.merge();
      merged ??= mem();
      expect(mem()).toEqual(merged);
      peft.unmerge();
      expect(mem()).toEqual(before);
    }
    if (!c.name.startsWith('ln-tuning')) expect(merged).toEqual(before);
    run(peft, inputs);
    expect(mem()).toEqual(before);
    peft.dispose();
  });

  it('mergeAndUnload (with a second adapter) then disposing the returned model frees everything', () => {
    const before = mem();
    const peft = applyPeft(toy.make(), c.config);
    if (c.config.method !== 'policy') peft.addAdapter('second', c.config);
    if (c.prompt) {
      expect(() => peft.mergeAndUnload()).toThrow(/cannot be merged/);
      peft.dispose();
    } else {
      const plain = peft.mergeAndUnload();
      run(plain as never, inputs);
      plain.dispose();
    }
    expect(mem()).toEqual(before);
  });

  it('switching and disabling adapters', () => {
    const peft = applyPeft(toy.make(), c.config);
    if (c.config.method !== 'policy') {
      peft.addAdapter('second', c.config);
      peft.setAdapter('second');
      run(peft, inputs);
      peft.setAdapter('default');
    }
    run(peft, inputs);
    const before = mem();
    for (let i = 0; i < 3; i++) {
      if (c.config.method !== 'policy') peft.setAdapter(i % 2 ? 'default' : 'second');
      run(peft, inputs);
      const off = peft.disableAdapters();
      run(peft, inputs);
      off.restore();
    }
    expect(mem()).toEqual(before);
    peft.dispose();
  });

  it('save, then load (fresh model and as another adapter) and dispose', async () => {
    const start = mem();
    const peft = applyPeft(toy.make(), c.config);
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-leaks-'));
    const beforeSave = mem();
    await peft.save(dir);
    expect(mem()).toEqual(beforeSave);
    if (c.merges) {
      peft.merge(); // saving a merged model reads the adapter weights, not the merged base
      await peft.save(dir);
      peft.unmerge();
      expect(mem()).toEqual(beforeSave);
    }
    const before = mem();
    const loaded = await loadPeft(toy.make(), dir);
    run(loaded, inputs);
    loaded.dispose();
    expect(mem()).toEqual(before);
    // selective methods: a second adapter on the same model is left out (its targets include the
    // modules_to_save wrapper's inner copies, so a first adapter's file does not fit it — not a leak)
    if (c.config.method !== 'policy' && (c.merges || c.prompt)) {
      await loadPeft(peft, dir, { adapterName: 'again' });
      peft.setAdapter('again');
      run(peft, inputs);
    }
    peft.dispose();
    expect(mem()).toEqual(start);
  });
});

describe('no leaks: mergeAndUnload details', () => {
  beforeAll(() => useBackend('cpu'));

  it('drops a prompt adapter that is not active (its encoder is disposed) and keeps the merged LoRA', () => {
    const inputs = toy.inputs();
    const before = mem();
    const peft = applyPeft(toy.make().eval(), { method: 'lora', r: 2, initLoraWeights: false });
    peft.addAdapter('prompt', { method: 'prompt-tuning', numVirtualTokens: 2 });
    const expected = tf.tidy(() => toy.output(peft.forward(inputs)).arraySync());
    const plain = peft.mergeAndUnload() as unknown as { forward(i: never): unknown };
    expect(peft.prompt_encoder.size).toBe(0);
    const got = tf.tidy(() => toy.output(plain.forward(inputs as never)).arraySync()) as number[][];
    (expected as number[][]).forEach((row, i) => row.forEach((v, j) => expect(got[i]![j]).toBeCloseTo(v, 5)));
    (plain as unknown as Module).dispose();
    expect(mem()).toEqual(before);
    tf.dispose(Object.values(inputs));
  });

  it('a modules_to_save module tied to the word embeddings: the discarded original keeps the shared weight alive', () => {
    manualSeed(3);
    const before = mem();
    const model = new BertForMaskedLM({ ...BERT_CFG, model_type: 'bert' });
    const embedding = model.bert.embeddings.word_embeddings.weight;
    expect(model.cls.predictions.decoder.weight).toBe(embedding);
    const peft = applyPeft(model, { method: 'lora', r: 2, modulesToSave: ['decoder'] });
    const plain = peft.mergeAndUnload();
    expect(embedding.variable.isDisposed).toBe(false); // the original decoder's weight is the embedding
    const ids = tf.tensor2d([[3, 7, 9]], [1, 3], 'int32');
    tf.tidy(() => void plain.forward({ inputIds: ids } as never));
    ids.dispose();
    plain.dispose();
    expect(mem()).toEqual(before);
  });
});

describe('no leaks: a load that does not fit leaves the model as it was', () => {
  beforeAll(() => useBackend('cpu'));
  const state = (m: Module) => m.namedParameters().map(([n, p]) => `${n}:${p.requiresGrad}`);

  for (const [name, config] of [
    ['lora', { method: 'lora', r: 2 }],
    ['prompt-tuning', { method: 'prompt-tuning', numVirtualTokens: 2 }],
    ['policy', { method: 'policy', modules: { bert: { method: 'ia3' } }, rest: 'full' }],
  ] as [string, PeftConfig][]) {
    it(`${name}: wrong shapes in the file → PeftError, no wrapper, no tensor, trainability restored`, async () => {
      const saved = applyPeft(toy.make(), config);
      const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-badload-'));
      await saved.save(dir);
      saved.dispose();
      // the config now asks for other shapes than the file holds
      const cfgPath = join(dir, config.method === 'policy' ? 'bert/adapter_config.json' : 'adapter_config.json');
      const cfg = JSON.parse(await readFile(cfgPath, 'utf8'));
      await writeFile(
        cfgPath,
        JSON.stringify(
          config.method === 'lora'
            ? { ...cfg, r: 3 }
            : config.method === 'policy'
              ? { ...cfg, target_modules: ['query'], feedforward_modules: [] }
              : { ...cfg, num_virtual_tokens: 3 },
        ),
      );
      const before = mem();
      const bare = toy.make();
      bare.freeze((n) => n.startsWith('bert.embeddings.')); // a state the failed load must give back
      const bareState = state(bare);
      await expect(loadPeft(bare, dir)).rejects.toThrow(/does not fit the model/);
      expect(state(bare)).toEqual(bareState);
      bare.dispose();
      expect(mem()).toEqual(before);
      // onto a PeftModel: the adapter is not added, the name stays free
      const peft = applyPeft(toy.make(), config); // same method: the new adapter goes into the same wrappers
      const peftState = state(peft);
      const held = mem();
      await expect(loadPeft(peft, dir, { adapterName: 'bad' })).rejects.toThrow(/does not fit the model/);
      expect(state(peft)).toEqual(peftState);
      expect([...peft.configs.keys()]).toEqual(['default']);
      expect(peft.entries.map((e) => e.adapter)).toEqual(['default']);
      expect(mem()).toEqual(held);
      peft.dispose();
      expect(mem()).toEqual(before);
    });
  }
});
