import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { serializeSafetensors, MemoryFolder, manualSeed } from '@tfjs-peft/core';
import { BertForSequenceClassification, BertModel } from '@tfjs-peft/models/bert';
import { applyPeft, loadPeft, matchesTarget, PeftError, LnTuningLayer } from './index';
import { BERT_CFG, TOYS, sgd } from './testing/toy';

describe('target matching (PEFT rules)', () => {
  it('a list matches exact names or dot-bounded suffixes; a string is a full-match regex', () => {
    expect(matchesTarget('bert.encoder.layer.0.attention.self.query', ['query'])).toBe(true);
    expect(matchesTarget('query', ['query'])).toBe(true);
    expect(matchesTarget('bert.encoder.layer.0.attention.self.myquery', ['query'])).toBe(false);
    expect(matchesTarget('a.output.dense', ['output.dense'])).toBe(true);
    expect(matchesTarget('a.output.dense', '.*dense')).toBe(true);
    expect(matchesTarget('a.output.dense', 'dense')).toBe(false); // full match, not search
    expect(() => matchesTarget('x', '(')).toThrow(/targetModules: "\(" is not a valid regular expression/);
  });
});

describe('applyPeft handle', () => {
  beforeAll(() => useBackend('cpu'));
  const make = () => new BertForSequenceClassification(BERT_CFG);

  it("prints PEFT's line; counts the classifier copy; reports memory", () => {
    const peft = applyPeft(make(), { method: 'ln-tuning' });
    // 2 layers × 2 LN + embeddings LN = 5 LayerNorms × 32 = 160, classifier copy 16·2+2 = 34
    const lines: string[] = [];
    const line = peft.printTrainableParameters((l) => lines.push(l));
    const total = peft.base_model.namedParameters().reduce((a, [, p]) => a + p.size, 0);
    expect(line).toBe(`trainable params: 194 || all params: ${total.toLocaleString('en-US')} || trainable%: ${((100 * 194) / total).toFixed(4)}`);
    expect(lines).toEqual([line]);
    const mem = peft.memoryReport();
    expect(mem.trainableBytes).toBe(194 * 4);
    expect(mem.optimizerStateBytes).toBe(2 * 194 * 4);
    expect(mem.summary).toMatch(/AdamW state/);
    peft.dispose();
  });

  it('a target that matches nothing lists the available modules grouped by suffix; exclude and regex work', () => {
    expect(() => applyPeft(make(), { method: 'lora', targetModules: ['q_proj'] })).toThrow(
      /targetModules \["q_proj"\] matched no Linear\. Available Linear names by suffix: query \(2\), key \(2\), value \(2\), dense \(7\), classifier \(1\)/,
    );
    const p = applyPeft(make(), { method: 'lora', targetModules: ['query', 'value'], excludeModules: 'bert\\.encoder\\.layer\\.1\\..*' });
    expect(p.entries[0]!.targets).toEqual(['bert.encoder.layer.0.attention.self.query', 'bert.encoder.layer.0.attention.self.value']);
    const r = applyPeft(make(), { method: 'lora', targetModules: '.*layer\\.1\\.attention\\.self\\.(query|key)' });
    expect(r.entries[0]!.targets).toEqual(['bert.encoder.layer.1.attention.self.query', 'bert.encoder.layer.1.attention.self.key']);
    expect(() => applyPeft(make(), { method: 'policy', modules: { text_decoder: 'full' } })).toThrow(/no child "text_decoder"/);
  });

  it('several named adapters: setAdapter switches outputs and trainability; non-default adapters save to a subfolder', async () => {
    const toy = TOYS[0]!;
    const model = toy.make(); // seeded: the reload below starts from the same base weights
    model.eval();
    const inputs = toy.inputs();
    const peft = applyPeft(model, { method: 'lora', r: 2, initLoraWeights: false });
    peft.addAdapter('second', { method: 'lora', r: 2, initLoraWeights: false });
    expect(peft.activeAdapter).toBe('default');
    const a = Array.from(await toy.output(peft.forward(inputs)).data());
    expect(peft.trainableParameters().every(([n]) => !n.includes('.second'))).toBe(true);
    peft.setAdapter('second');
    const b = Array.from(await toy.output(peft.forward(inputs)).data());
    expect(b).not.toEqual(a);
    expect(peft.trainableParameters().every(([n]) => !n.includes('.default'))).toBe(true);
    expect(() => peft.setAdapter('third')).toThrow(/unknown adapter "third"; adapters: default, second/);
    expect(() => peft.addAdapter('second', { method: 'lora' })).toThrow(/adapter "second" already exists/);
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-multi-'));
    await peft.save(dir);
    expect((await readdir(dir)).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'second']);
    expect((await readdir(join(dir, 'second'))).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const loaded = await loadPeft(toy.make(), join(dir, 'second'), { adapterName: 'second' });
    loaded.base_model.eval();
    expect(Array.from(await toy.output(loaded.forward(inputs)).data())).toEqual(b);
    peft.dispose();
  });

  it('adapter_config.json follows PEFT (sorted keys, inference_mode true, resolved targets)', async () => {
    const peft = applyPeft(make(), { method: 'lora', r: 4, loraAlpha: 16 });
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-cfg-'));
    await peft.save(dir);
    const cfg = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    expect(Object.keys(cfg)).toEqual([...Object.keys(cfg)].sort());
    expect(cfg).toMatchObject({
      peft_type: 'LORA',
      r: 4,
      lora_alpha: 16,
      target_modules: ['query', 'value'],
      inference_mode: true,
      task_type: 'SEQ_CLS',
      modules_to_save: ['classifier', 'score'],
      bias: 'none',
    });
    peft.dispose();
  });

  it('bad adapter folders: unknown peft_type, missing key, wrong shape, unexpected key, no config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-bad-'));
    const peft = applyPeft(make(), { method: 'lora', r: 2 });
    await peft.save(dir);
    const cfgPath = join(dir, 'adapter_config.json');
    const cfg = JSON.parse(await readFile(cfgPath, 'utf8'));
    await writeFile(cfgPath, JSON.stringify({ ...cfg, peft_type: 'LOHA' }));
    await expect(loadPeft(make(), dir)).rejects.toThrow(/adapter_config\.json: peft_type "LOHA" is not supported; supported: LORA, IA3, PREFIX_TUNING, PROMPT_TUNING, LN_TUNING/);
    await writeFile(cfgPath, JSON.stringify({ ...cfg, r: 3 }));
    await expect(loadPeft(make(), dir)).rejects.toThrow(/adapter_model\.safetensors does not fit the model:[\s\S]*lora_A\.weight expected \[3,16\], got \[2,16\]/);
    await writeFile(cfgPath, JSON.stringify(cfg));
    const one = { dtype: 'F32' as const, shape: [2, 16], bytes: new Uint8Array(128) };
    await writeFile(
      join(dir, 'adapter_model.safetensors'),
      serializeSafetensors(
        new Map([
          ['base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight', one],
          ['base_model.model.extra', one],
        ]),
      ),
    );
    await expect(loadPeft(make(), dir)).rejects.toThrow(
      /missing keys \(\d+\): base_model\.model\.bert\.encoder\.layer\.0\.attention\.self\.query\.lora_B\.weight[\s\S]*unexpected keys \(1\): base_model\.model\.extra/,
    );
    await expect(loadPeft(make(), join(dir, 'nothing'))).rejects.toThrow(/no adapter_config\.json \(not a PEFT adapter folder\)/);
    await expect(
      loadPeft(make(), dir).catch((e) => {
        throw e;
      }),
    ).rejects.toBeInstanceOf(PeftError);
    peft.dispose();
  });

  it('ln-tuning with element masks changes only the masked elements', async () => {
    const model = make();
    const path = 'bert.encoder.layer.0.output.LayerNorm';
    const weightMask = Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const peft = applyPeft(model, { method: 'ln-tuning', masks: { [path]: { weight: weightMask, bias: new Array(16).fill(0) } } });
    const before = Array.from(await model.getParameter(`${path}.base_layer.weight`).value.data());
    const toy = TOYS[0]!;
    await sgd(peft as never, toy.inputs(), toy.loss, 5, 0.5);
    const layer = model.getSubmodule(path) as LnTuningLayer;
    const eff = layer.effective('default');
    const w = Array.from(await eff.weight.data());
    const b = Array.from(await eff.bias!.data());
    w.forEach((v, i) => (weightMask[i] ? expect(v).not.toBe(before[i]) : expect(v).toBe(before[i])));
    expect(b).toEqual(Array.from(await model.getParameter(`${path}.base_layer.bias`).value.data()));
    expect(() => applyPeft(make(), { method: 'ln-tuning', masks: { 'bert.nope.LayerNorm': { weight: weightMask } } })).toThrow(
      /ln-tuning masks: "bert\.nope\.LayerNorm" is not a targeted LayerNorm/,
    );
    expect(() => applyPeft(make(), { method: 'ln-tuning', masks: { [path]: { weight: [1, 0] } } })).toThrow(/expected 16 values, got 2/);
    peft.dispose();
  });

  it('policies: frozen / full / a method per sub-module, saved per sub-module and reloaded', async () => {
    const toy = TOYS[2]!;
    const model = toy.make();
    const peft = applyPeft(model, { method: 'policy', modules: { vision_model: 'frozen', text_encoder: 'full', text_decoder: { method: 'lora', r: 2 } } });
    const trainable = peft.trainableParameters().map(([n]) => n);
    expect(trainable.some((n) => n.startsWith('base_model.vision_model.'))).toBe(false);
    expect(trainable.filter((n) => n.startsWith('base_model.text_encoder.')).length).toBe(model.getSubmodule('text_encoder').parameters().length);
    expect(trainable.filter((n) => n.startsWith('base_model.text_decoder.')).every((n) => /lora_[AB]/.test(n))).toBe(true);
    await sgd(peft as never, toy.inputs(), toy.loss, 2, 0.05);
    peft.eval();
    const out = Array.from(await toy.output(peft.forward(toy.inputs())).data());
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-policy-'));
    await peft.save(dir);
    expect((await readdir(dir)).sort()).toEqual(['text_decoder', 'text_encoder', 'tfjs_peft_policy.json']);
    const loaded = await loadPeft(toy.make(), dir);
    loaded.eval();
    const again = Array.from(await toy.output(loaded.forward(toy.inputs())).data());
    expect(Math.max(...again.map((v, i) => Math.abs(v - out[i]!)))).toBeLessThan(1e-5);
    peft.dispose();
  });

  it('saves into and loads from a MemoryFolder (browser download / picked folder), policies included', async () => {
    const toy = TOYS[2]!;
    const peft = applyPeft(toy.make(), { method: 'policy', modules: { vision_model: 'frozen', text_encoder: { method: 'ln-tuning' }, text_decoder: { method: 'lora', r: 2 } } });
    await sgd(peft as never, toy.inputs(), toy.loss, 2, 0.05);
    peft.eval();
    const out = Array.from(await toy.output(peft.forward(toy.inputs())).data());
    const folder = new MemoryFolder('adapter');
    await peft.save(folder);
    expect(folder.paths()).toEqual([
      'text_decoder/adapter_config.json',
      'text_decoder/adapter_model.safetensors',
      'text_encoder/adapter_config.json',
      'text_encoder/adapter_model.safetensors',
      'tfjs_peft_policy.json',
    ]);
    const loaded = await loadPeft(toy.make(), folder);
    loaded.eval();
    const again = Array.from(await toy.output(loaded.forward(toy.inputs())).data());
    expect(Math.max(...again.map((v, i) => Math.abs(v - out[i]!)))).toBeLessThan(1e-5);
    peft.dispose();
    loaded.dispose();
  });

  it('modules a checkpoint lacked (a pooler) are saved with the adapter, so it reproduces its outputs in another process', async () => {
    // an MLM-style checkpoint: encoder weights, no pooler, no classifier
    manualSeed(1);
    const donor = new BertForSequenceClassification(BERT_CFG);
    const ckpt = new Map(
      donor
        .namedParameters()
        .filter(([n]) => !n.startsWith('bert.pooler.') && !n.startsWith('classifier.'))
        .map(([n, p]) => [n, p.value]),
    );
    const load = (seed: number) => {
      manualSeed(seed); // the fresh pooler and head differ with the seed, as in two processes
      const m = new BertForSequenceClassification(BERT_CFG);
      m.loadPretrainedWeights(ckpt, { onWarning: () => undefined });
      return m;
    };
    const a = load(2);
    expect(a.loadingInfo!.missingKeys).toEqual(['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias']);
    for (const method of ['ln-tuning', 'lora'] as const) {
      const peft = applyPeft(load(2), { method });
      expect((peft.entries[0]!.config as { modulesToSave?: string[] }).modulesToSave).toEqual(['classifier', 'score', 'bert.pooler.dense']);
      expect(peft.trainableParameters().map(([n]) => n)).toContain('base_model.bert.pooler.dense.modules_to_save.default.weight');
      await sgd(peft as never, { inputIds: tf.tensor2d([[1, 5, 7, 2]], [1, 4], 'int32'), labels: tf.tensor1d([1], 'int32') }, (o) => (o as { loss: tf.Scalar }).loss, 2, 0.1);
      peft.eval();
      const x = { inputIds: tf.tensor2d([[1, 9, 3, 2]], [1, 4], 'int32') };
      const out = Array.from(await (peft.forward(x) as { logits: tf.Tensor }).logits.data());
      const folder = new MemoryFolder('adapter');
      await peft.save(folder);
      expect(JSON.parse(new TextDecoder().decode(await folder.read('adapter_config.json'))).modules_to_save).toEqual(['classifier', 'score', 'bert.pooler.dense']);
      const again = await loadPeft(load(3), folder);
      again.eval();
      const back = Array.from(await (again.forward(x) as { logits: tf.Tensor }).logits.data());
      expect(Math.max(...back.map((v, i) => Math.abs(v - out[i]!)))).toBeLessThan(1e-6);
      // explicit modulesToSave are taken as given
      expect((applyPeft(load(2), { method, modulesToSave: ['classifier'] }).entries[0]!.config as { modulesToSave?: string[] }).modulesToSave).toEqual(['classifier']);
    }
    [donor, a].forEach((m) => m.dispose());
  });

  it('leaves a model without a classifier alone (no modules_to_save)', () => {
    const peft = applyPeft(new BertModel(BERT_CFG), { method: 'lora' });
    expect(peft.entries[0]!.modulesToSave).toEqual([]);
    peft.dispose();
    tf.disposeVariables();
  });
});

describe('generate through the PEFT handle', () => {
  beforeAll(() => useBackend('cpu'));

  it('a captioning model takes a pixel tensor; prompt-based adapters say they need an inputs object', async () => {
    const { BlipForConditionalGeneration } = await import('@tfjs-peft/models/blip');
    const { manualSeed } = await import('@tfjs-peft/core');
    const cfg = {
      model_type: 'blip',
      text_config: {
        vocab_size: 40,
        hidden_size: 16,
        encoder_hidden_size: 16,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 32,
        max_position_embeddings: 24,
        bos_token_id: 1,
        sep_token_id: 2,
        pad_token_id: 0,
      },
      vision_config: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, image_size: 16, patch_size: 8 },
    };
    manualSeed(2);
    const model = new BlipForConditionalGeneration(cfg);
    model.eval();
    const px = tf.randomNormal([2, 3, 16, 16], 0, 1, 'float32', 3);
    const peft = applyPeft(model, { method: 'lora', r: 2, initLoraWeights: false });
    const viaPeft = (await peft.generate(px, { maxLength: 6 })) as { sequences: number[][] };
    const direct = await model.generate(px, { maxLength: 6 });
    expect(viaPeft.sequences).toEqual(direct.sequences);
    expect(viaPeft.sequences[0]![0]).toBe(1);
    peft.dispose();
    manualSeed(2);
    const m2 = new BlipForConditionalGeneration(cfg);
    const p2 = applyPeft(m2, { method: 'policy', modules: { vision_model: 'frozen', text_decoder: { method: 'prefix-tuning', numVirtualTokens: 2 } } });
    expect(() => p2.generate(px, { maxLength: 4 })).toThrow(/takes a tensor; prompt-based adapters \(prefix \/ prompt tuning\) need an inputs object/);
    p2.dispose();
    px.dispose();
  });
});
