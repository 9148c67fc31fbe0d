import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { MemoryFolder } from '@tfjs-peft/core';
import { applyPeft, loadPeft, PeftError, LoraLinear, fromAdapterConfigJson, type PeftConfig } from '../index';
import { inLayers, matchesTarget, patternKey } from '../matching';
import { TOYS } from '../testing/toy';
import golden from './peft-pattern-golden.json';

const toy = TOYS[0]!; // tiny BERT, seeded
const LABEL = 'adapter/adapter_config.json';

/** A LoRA adapter folder (non-zero B) in memory, its config and the outputs it gives. */
async function fixture() {
  const peft = applyPeft(toy.make(), { method: 'lora', r: 2, loraAlpha: 4, initLoraWeights: false });
  const folder = new MemoryFolder('adapter');
  await peft.save(folder);
  const cfg = JSON.parse(new TextDecoder().decode(await folder.read('adapter_config.json'))) as Record<string, unknown>;
  const weights = await folder.read('adapter_model.safetensors');
  peft.dispose();
  return { cfg, weights };
}

/** Expects loading `config` text to fail with a PeftError naming the file and `field` (and `what`). */
async function rejects(weights: Uint8Array, text: string, field: string, what?: RegExp) {
  const folder = new MemoryFolder('adapter').set('adapter_config.json', text).set('adapter_model.safetensors', weights);
  const model = toy.make();
  const err = await loadPeft(model, folder).then(
    () => undefined,
    (e: unknown) => e,
  );
  model.dispose();
  expect(err, `${text} should be rejected`).toBeInstanceOf(PeftError);
  const msg = (err as Error).message;
  expect(msg).toContain(LABEL);
  expect(msg).toContain(`"${field}"`);
  if (what) expect(msg).toMatch(what);
  return msg;
}

describe('adapter_config.json: bad input is a PeftError naming the file and the field', () => {
  beforeAll(() => useBackend('cpu'));
  let cfg: Record<string, unknown>;
  let weights: Uint8Array;
  beforeAll(async () => ({ cfg, weights } = await fixture()));
  const withField = (k: string, v: unknown) => JSON.stringify({ ...cfg, [k]: v });

  it('modules_to_save as a string or a number', async () => {
    await rejects(weights, withField('modules_to_save', 'classifier'), 'modules_to_save', /expected null or a list of module names, got "classifier"/);
    await rejects(weights, withField('modules_to_save', 3), 'modules_to_save', /got 3/);
    await rejects(weights, withField('modules_to_save', [1]), 'modules_to_save');
  });

  it('a file holding null, an array or a number', async () => {
    for (const t of ['null', '[]', '7', '"LORA"']) {
      const folder = new MemoryFolder('adapter').set('adapter_config.json', t).set('adapter_model.safetensors', weights);
      await expect(loadPeft(toy.make(), folder)).rejects.toThrow(new RegExp(`${LABEL}: expected a JSON object with a "peft_type"`));
    }
    expect(() => fromAdapterConfigJson(null, 'x.json')).toThrow(PeftError);
  });

  it('an unknown method in a TFJS_PEFT_SELECTIVE file', async () => {
    const sel = JSON.stringify({ peft_type: 'TFJS_PEFT_SELECTIVE', method: 'bitfitt', include_layer_norm: false });
    await rejects(weights, sel, 'method', /expected "bitfit", "ffn-only", "attention-only" or "full", got "bitfitt"/);
    await rejects(weights, JSON.stringify({ peft_type: 'TFJS_PEFT_SELECTIVE' }), 'method', /missing/);
  });

  it('r <= 0, r not an integer, r a string', async () => {
    for (const r of [0, -2, 2.5, '2']) await rejects(weights, withField('r', r), 'r', /expected a positive integer/);
  });

  it('lora_alpha 1e308 (NaN outputs), a string, null; lora_dropout out of [0, 1)', async () => {
    await rejects(weights, withField('lora_alpha', 1e308), 'lora_alpha', /expected a finite number/);
    await rejects(weights, withField('lora_alpha', '8'), 'lora_alpha');
    await rejects(weights, withField('lora_alpha', null), 'lora_alpha');
    await rejects(weights, withField('lora_dropout', 1), 'lora_dropout', /\[0, 1\)/);
    await rejects(weights, withField('lora_dropout', -0.1), 'lora_dropout');
  });

  it('use_rslora "yes" is not read as false', async () => {
    await rejects(weights, withField('use_rslora', 'yes'), 'use_rslora', /expected true or false, got "yes"/);
  });

  it('fields tfjs-peft does not implement, at non-default values, are named', async () => {
    for (const [k, v] of [
      ['lora_bias', true],
      ['fan_in_fan_out', true],
      ['bias', 'all'],
      ['layer_replication', [[0, 1]]],
      ['trainable_token_indices', [1, 2]],
      ['alora_invocation_tokens', [3]],
      ['use_qalora', true],
      ['megatron_config', {}],
      ['target_parameters', ['w']],
      ['init_lora_weights', 'pissa'],
      ['ensure_weight_tying', true],
    ] as const) {
      await rejects(weights, withField(k, v), k, k === 'init_lora_weights' ? /rewrite the base weights/ : /tfjs-peft does not implement/);
    }
  });

  it('unknown fields: a typo gets a suggestion; empty values of newer PEFT fields load', async () => {
    await rejects(weights, withField('lora_alpah', 16), 'lora_alpah', /unknown field "lora_alpah" \(did you mean lora_alpha\?\)/);
    const ok = await loadPeft(
      toy.make(),
      new MemoryFolder('adapter').set('adapter_config.json', JSON.stringify({ ...cfg, some_new_option: null, other: {} })).set('adapter_model.safetensors', weights),
    );
    ok.dispose();
  });

  it("peft_type unknown or not a string; target_modules of the wrong type; PEFT's cross-field rules", async () => {
    await rejects(
      weights,
      withField('peft_type', 'LORRA'),
      'LORRA',
      /peft_type "LORRA" is not supported; supported: LORA, IA3, PREFIX_TUNING, PROMPT_TUNING, LN_TUNING, TFJS_PEFT_SELECTIVE \(did you mean LORA\?\)/,
    );
    await rejects(weights, withField('target_modules', 5), 'target_modules');
    await rejects(weights, withField('target_modules', 'all-linear'), 'target_modules', /all-linear/);
    await rejects(weights, JSON.stringify({ ...cfg, target_modules: '.*query', layers_to_transform: [0] }), 'layers_to_transform', /regex string/);
    await rejects(weights, JSON.stringify({ ...cfg, layers_pattern: 'layer' }), 'layers_pattern', /needs "layers_to_transform"/);
    await rejects(weights, withField('rank_pattern', { query: 0 }), 'rank_pattern.query', /positive integer/);
    await rejects(weights, withField('alpha_pattern', { '(': 2 }), 'alpha_pattern', /not a valid regular expression/);
    await rejects(weights, withField('layers_to_transform', [-1]), 'layers_to_transform', /expected null or a layer index or a list of layer indexes/);
    await rejects(weights, JSON.stringify({ peft_type: 'IA3', target_modules: ['key'], feedforward_modules: ['output.dense'] }), 'feedforward_modules', /subset/);
  });

  it('prompt configs: num_virtual_tokens required and positive; sizes must match the model', async () => {
    const p = { peft_type: 'PROMPT_TUNING', num_virtual_tokens: 4, token_dim: 16, num_attention_heads: 2, num_layers: 2, num_transformer_submodules: 1 };
    await rejects(weights, JSON.stringify({ ...p, num_virtual_tokens: 0 }), 'num_virtual_tokens');
    await rejects(weights, JSON.stringify({ ...p, num_virtual_tokens: undefined }), 'num_virtual_tokens', /missing/);
    await rejects(weights, JSON.stringify({ ...p, num_attention_heads: 4 }), 'num_attention_heads', /the model has 2/);
    await rejects(weights, JSON.stringify({ ...p, num_transformer_submodules: 2 }), 'num_transformer_submodules');
  });
});

describe('tfjs_peft_policy.json: every path is checked before it is read', () => {
  beforeAll(() => useBackend('cpu'));

  it('"../outside" is refused without reading it (its bytes are not echoed)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tfjs-peft-policy-path-'));
    const dir = join(root, 'adapter');
    await mkdir(join(root, 'outside'), { recursive: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(root, 'outside', 'adapter_config.json'), 'SECRET-BYTES not json');
    for (const scope of ['../outside', '/etc', 'a/../../outside', '..', 'text_decoder/../..', '']) {
      await writeFile(join(dir, 'tfjs_peft_policy.json'), JSON.stringify({ modules: { [scope]: 'lora' }, rest: 'frozen' }));
      const err = await loadPeft(TOYS[2]!.make(), dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PeftError);
      expect((err as Error).message).toContain('tfjs_peft_policy.json');
      expect((err as Error).message).toContain('"modules" key');
      expect((err as Error).message).not.toContain('SECRET');
    }
    // a plain path that is not a sub-module of the model: named, not read
    await writeFile(join(dir, 'tfjs_peft_policy.json'), JSON.stringify({ modules: { outside: 'lora' } }));
    await expect(loadPeft(TOYS[2]!.make(), dir)).rejects.toThrow(/tfjs_peft_policy\.json: "modules\.outside"/);
  });

  it('a null policy, a bad kind or rest, a kind that differs from the file', async () => {
    const folder = new MemoryFolder('adapter');
    for (const [text, re] of [
      ['null', /tfjs_peft_policy\.json: expected a JSON object/],
      ['{"modules": {"text_decoder": "lorra"}}', /"modules\.text_decoder" expected "frozen", "full" or a method \(lora, dora, ia3/],
      ['{"modules": {}, "rest": "all"}', /"rest" expected "frozen" or "full", got "all"/],
      ['{"modules": {}, "extra": 1}', /unknown field "extra"/],
    ] as const) {
      folder.set('tfjs_peft_policy.json', text);
      await expect(loadPeft(TOYS[2]!.make(), folder)).rejects.toThrow(re);
    }
    folder.set('tfjs_peft_policy.json', '{"modules": {"text_decoder": "ia3"}}');
    folder.set('text_decoder/adapter_config.json', JSON.stringify({ peft_type: 'LORA', r: 2, target_modules: ['query'] }));
    await expect(loadPeft(TOYS[2]!.make(), folder)).rejects.toThrow(
      /text_decoder\/adapter_config\.json: adapter\/tfjs_peft_policy\.json says "text_decoder" is ia3, but this file holds lora/,
    );
  });
});

describe('applyPeft options: strict, typed, with suggestions', () => {
  beforeAll(() => useBackend('cpu'));
  const bad = (c: unknown, re: RegExp) => {
    const model = toy.make();
    let err: unknown;
    try {
      applyPeft(model, c as PeftConfig);
    } catch (e) {
      err = e;
    }
    model.dispose();
    expect(err, JSON.stringify(c)).toBeInstanceOf(PeftError);
    expect((err as Error).message).toMatch(re);
  };

  it('unknown keys name the closest known one', () => {
    bad({ method: 'lora', lora_alpha: 16 }, /applyPeft: invalid config:[\s\S]*unknown field "lora_alpha" \(did you mean loraAlpha\?\)/);
    bad({ method: 'lora', rank: 4 }, /unknown field "rank"/);
    bad({ method: 'ia3', target_modules: ['key'] }, /did you mean targetModules\?/);
    bad(
      { method: 'policy', modules: { vision_model: { method: 'lora', lora_dropout: 0.1 } } },
      /unknown field "modules\.vision_model\.lora_dropout" \(did you mean loraDropout\?\)/,
    );
    bad({ method: 'lorra' }, /"method" expected one of lora, dora, ia3, .* got "lorra" \(did you mean lora\?\)/);
    bad(null, /applyPeft: the config must be an object/);
    expect(() => applyPeft(toy.make(), { method: 'lora' }, { adaptername: 'x' } as never)).toThrow(/unknown field "adaptername" \(did you mean adapterName\?\)/);
  });

  it('values are type-checked', () => {
    bad({ method: 'lora', r: 0 }, /"r" expected a positive integer, got 0/);
    bad({ method: 'lora', r: 1.5 }, /"r" expected a positive integer/);
    bad({ method: 'lora', loraDropout: 1 }, /"loraDropout" expected a number in \[0, 1\), got 1/);
    bad({ method: 'lora', loraAlpha: Infinity }, /"loraAlpha" expected a finite number/);
    bad({ method: 'lora', loraAlpha: 1e308 }, /"loraAlpha" expected a finite number/);
    bad({ method: 'lora', useRslora: 'yes' }, /"useRslora" expected true or false, got "yes"/);
    bad({ method: 'lora', targetModules: 5 }, /"targetModules" expected a list of module names or a regex string/);
    bad({ method: 'lora', modulesToSave: 'classifier' }, /"modulesToSave" expected a list of module names/);
    bad({ method: 'prompt-tuning', numVirtualTokens: -1 }, /"numVirtualTokens" expected a positive integer/);
    bad({ method: 'policy', modules: { vision_model: 'half' } }, /modules\.vision_model/);
    bad({ method: 'policy', modules: {}, rest: 'all' }, /"rest" expected "frozen" or "full"/);
    bad({ method: 'lora', targetModules: '.*query', layersToTransform: [0] }, /regex string/);
  });
});

describe('rank_pattern / alpha_pattern / layers_to_transform follow PEFT', () => {
  beforeAll(() => useBackend('cpu'));

  it("patternKey and the layer rule give PEFT 0.21's answers (golden from PEFT's own functions)", () => {
    for (const [keys, name, want] of golden.pattern as [string[], string, string | null][]) {
      expect(patternKey(Object.fromEntries(keys.map((k) => [k, 1])), name) ?? null, `${keys} ${name}`).toBe(want);
    }
    for (const [idx, pattern, targets, name, want] of golden.layers as [number | number[], string | string[] | null, string[], string, boolean][]) {
      const got = matchesTarget(name, targets) && (targets.includes(name) || inLayers(name, idx, pattern));
      expect(got, `${JSON.stringify([idx, pattern, targets, name])}`).toBe(want);
    }
  });

  it('each module gets its r and scaling; rsLoRA uses the pattern r; saved and reloaded with the same outputs', async () => {
    const model = toy.make();
    const peft = applyPeft(model, {
      method: 'lora',
      r: 2,
      loraAlpha: 4,
      targetModules: ['query', 'value'],
      rankPattern: { 'layer\\.1\\..*query': 4, query: 3 },
      alphaPattern: { value: 12 },
      initLoraWeights: false,
    });
    const at = (p: string) => model.getSubmodule(`bert.encoder.layer.${p}`) as LoraLinear;
    expect(at('0.attention.self.query').lora_A.get('default')!.weight.shape).toEqual([3, 16]);
    expect(at('1.attention.self.query').lora_A.get('default')!.weight.shape).toEqual([4, 16]);
    expect(at('0.attention.self.value').lora_A.get('default')!.weight.shape).toEqual([2, 16]);
    expect(at('0.attention.self.query').scaling('default')).toBeCloseTo(4 / 3);
    expect(at('1.attention.self.query').scaling('default')).toBeCloseTo(1);
    expect(at('1.attention.self.value').scaling('default')).toBeCloseTo(6);
    peft.eval();
    const out = Array.from(await toy.output(peft.forward(toy.inputs())).data());
    const folder = new MemoryFolder('adapter');
    await peft.save(folder);
    const cfg = JSON.parse(new TextDecoder().decode(await folder.read('adapter_config.json')));
    expect(cfg).toMatchObject({ rank_pattern: { 'layer\\.1\\..*query': 4, query: 3 }, alpha_pattern: { value: 12 }, layers_to_transform: null });
    const loaded = await loadPeft(toy.make(), folder);
    expect(Array.from(await toy.output(loaded.forward(toy.inputs())).data())).toEqual(out);
    peft.dispose();
    loaded.dispose();

    const rs = applyPeft(toy.make(), { method: 'lora', r: 2, loraAlpha: 4, useRslora: true, rankPattern: { query: 4 } });
    expect((rs.base_model.getSubmodule('bert.encoder.layer.0.attention.self.query') as LoraLinear).scaling('default')).toBeCloseTo(4 / Math.sqrt(4));
    rs.dispose();
  });

  it('layersToTransform / layersPattern pick the layers, and round-trip', async () => {
    const peft = applyPeft(toy.make(), { method: 'lora', r: 2, targetModules: ['query', 'value'], layersToTransform: 1, layersPattern: 'layer', initLoraWeights: false });
    expect(peft.entries[0]!.targets).toEqual(['bert.encoder.layer.1.attention.self.query', 'bert.encoder.layer.1.attention.self.value']);
    peft.eval();
    const out = Array.from(await toy.output(peft.forward(toy.inputs())).data());
    const folder = new MemoryFolder('adapter');
    await peft.save(folder);
    const cfg = JSON.parse(new TextDecoder().decode(await folder.read('adapter_config.json')));
    expect(cfg).toMatchObject({ layers_to_transform: 1, layers_pattern: 'layer' });
    const loaded = await loadPeft(toy.make(), folder);
    expect(loaded.entries[0]!.targets).toEqual(peft.entries[0]!.targets);
    expect(Array.from(await toy.output(loaded.forward(toy.inputs())).data())).toEqual(out);
    peft.dispose();
    loaded.dispose();
  });
});
