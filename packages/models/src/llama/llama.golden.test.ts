import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { assertClose, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { LlamaForCausalLM, LlamaForSequenceClassification, LlamaModel, parseLlamaConfig, ropeInverseFrequencies } from './index';
import { GOLDEN_DIR, readGolden, expectOutput, expectGrads, expectSaveLoadRoundTrip } from '../testing/golden';

/** The cases `scripts/make_golden.py` writes beside this file (transformers' Llama, eager attention). */
const HERE = fileURLToPath(new URL('./golden', import.meta.url));
const caseName = (name: string) => relative(GOLDEN_DIR, join(HERE, name));
const caseDir = (name: string) => join(HERE, name);

/** 2 layers of q/k/v/o + gate/up/down + 2 norms, embeddings, final norm. */
const PER_LAYER = 4 + 3 + 2;

describe.each(testBackends())('Llama golden parity (transformers) on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 100 : 10; // 1e-4

  const lmCases: [string, string, number][] = [
    ['llama-causal-lm', 'untied lm_head, attention biases, GQA, right padding, labels with −100', 2 + 2 * (PER_LAYER + 4) + 1],
    ['llama-tied-left', 'tied lm_head, mlp biases, GQA, left padding', 2 + 2 * (PER_LAYER + 3)],
    ['llama-rope-llama3', 'llama3 rope scaling, MHA, head_dim 8 ≠ hidden/heads, left padding with position_ids', 2 + 2 * PER_LAYER + 1],
  ];
  for (const [name, what, params] of lmCases)
    it(`${name} (${what}): logits, hidden states, loss and every parameter's gradient`, async () => {
      const c = await readGolden(caseName(name));
      const model = await LlamaForCausalLM.fromPretrained(caseDir(name));
      const inputs = {
        inputIds: c.inputs.get('input_ids')!,
        attentionMask: c.inputs.get('attention_mask'),
        positionIds: c.inputs.get('position_ids'),
        labels: c.inputs.get('labels'),
      };
      const before = tf.memory().numTensors;
      const out = model.forward(inputs);
      await expectOutput(out.logits, c, 'logits', outScale);
      await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
      await expectOutput(out.loss!, c, 'loss', outScale);
      tf.dispose([out.logits, out.loss!, out.lastHiddenState]);
      expect(tf.memory().numTensors).toBe(before);
      const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
      expect(r.checked).toBe(model.namedParameters().length);
      expect(r.checked).toBe(params);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

  it('llama-tied-left: lm_head shares embed_tokens.weight, the checkpoint has no lm_head.weight', async () => {
    const model = await LlamaForCausalLM.fromPretrained(caseDir('llama-tied-left'), { onWarning: (m) => expect.fail(m) });
    expect(model.lm_head.weight).toBe(model.model.embed_tokens.weight);
    expect(model.namedParameters().map(([n]) => n)).not.toContain('lm_head.weight');
    expect(model.loadingInfo!.missingKeys).toEqual([]);
    model.dispose();
  });

  it('llama-tied-left with key/value prefixes (as a transformers cache: positions start at P, left padding): logits, loss, every gradient', async () => {
    const c = await readGolden(caseName('llama-tied-left'));
    const model = await LlamaForCausalLM.fromPretrained(caseDir('llama-tied-left'));
    const keys = [0, 1].map((i) => tf.variable(c.inputs.get(`prefix_key.${i}`)!));
    const values = [0, 1].map((i) => tf.variable(c.inputs.get(`prefix_value.${i}`)!));
    const inputs = {
      inputIds: c.inputs.get('input_ids')!,
      attentionMask: c.inputs.get('attention_mask'),
      labels: c.inputs.get('labels'),
      prefixes: keys.map((key, i) => ({ key, value: values[i]! })),
    };
    const before = tf.memory().numTensors;
    const out = model.forward(inputs);
    await expectOutput(out.logits, c, 'prefix.logits', outScale);
    await expectOutput(out.loss!, c, 'prefix.loss', outScale);
    tf.dispose([out.logits, out.loss!, out.lastHiddenState]);
    expect(tf.memory().numTensors).toBe(before);
    const lossFn = () => model.forward(inputs).loss as tf.Scalar;
    const r = await expectGrads(model, lossFn, c, { tol, prefix: 'prefix.' });
    expect(r.checked).toBe(model.namedParameters().length);
    const { value, grads } = tf.variableGrads(lossFn, [...keys, ...values]);
    value.dispose();
    for (const [kind, vars] of [
      ['key', keys],
      ['value', values],
    ] as const)
      for (const [i, v] of vars.entries()) {
        const ref = c.outputs.get(`prefix.grad.prefix_${kind}.${i}`)!;
        let maxRef = 0;
        for (const x of ref) maxRef = Math.max(maxRef, Math.abs(x));
        assertClose(await grads[v.name]!.data(), ref, `prefix_${kind}.${i} gradient`, { atol: tol * maxRef + 1e-6, rtol: 0 });
      }
    tf.dispose(Object.values(grads));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...keys, ...values]);
    model.dispose();
  });

  it("llama-causal-lm: greedy and beam-search generate give transformers' sequences", async () => {
    const c = await readGolden(caseName('llama-causal-lm'));
    const model = await LlamaForCausalLM.fromPretrained(caseDir('llama-causal-lm'));
    const rows = async (name: string) => {
      const t = c.inputs.get(name)!;
      const data = Array.from(await t.data());
      const [b, len] = t.shape as [number, number];
      // transformers pads finished rows; ours stop at EOS (5)
      return Array.from({ length: b }, (_, i) => {
        const row = data.slice(i * len, (i + 1) * len);
        const end = row.indexOf(5, 4);
        return end < 0 ? row : row.slice(0, end + 1);
      });
    };
    const greedy = await rows('generated_greedy');
    const beam = await rows('generated_beam');
    const prompts = greedy.map((r) => r.slice(0, 4));
    const before = tf.memory().numTensors;
    expect((await model.generate(prompts, { maxLength: 12, eosTokenId: 5 })).sequences).toEqual(greedy);
    expect((await model.generate(prompts, { maxLength: 10, numBeams: 3, eosTokenId: 5 })).sequences).toEqual(beam);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('restarting position_ids without an attention mask: packed sequences under use_cache false, one sequence otherwise (as transformers)', async () => {
    for (const name of ['llama-causal-lm', 'llama-rope-llama3'])
      for (const [useCache, key] of [
        [false, 'packed_last_hidden_state'],
        [true, 'restarted_last_hidden_state'],
      ] as const) {
        const c = await readGolden(caseName(name));
        const model = await LlamaModel.fromPretrained(caseDir(name), { config: { use_cache: useCache }, onWarning: () => undefined });
        const before = tf.memory().numTensors;
        const out = model.forward({ inputIds: c.inputs.get('input_ids')!, positionIds: c.inputs.get('packed_position_ids') });
        await expectOutput(out.lastHiddenState, c, key, outScale);
        out.lastHiddenState.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      }
  });

  it('llama-seqcls: last non-pad token pooling, logits, loss and gradients', async () => {
    const c = await readGolden(caseName('llama-seqcls'));
    const model = await LlamaForSequenceClassification.fromPretrained(caseDir('llama-seqcls'));
    const inputs = { inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask'), labels: c.inputs.get('labels') };
    const before = tf.memory().numTensors;
    const out = model.forward(inputs);
    await expectOutput(out.logits, c, 'logits', outScale);
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    await expectOutput(out.loss!, c, 'loss', outScale);
    tf.dispose([out.logits, out.loss!, out.lastHiddenState]);
    expect(tf.memory().numTensors).toBe(before);
    const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, { tol });
    expect(r.checked).toBe(2 + 2 * PER_LAYER + 1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('LlamaModel loads a head checkpoint (model. prefix stripped, lm_head ignored)', async () => {
    const c = await readGolden(caseName('llama-causal-lm'));
    const model = await LlamaModel.fromPretrained(caseDir('llama-causal-lm'), { onWarning: () => undefined });
    expect(model.loadingInfo!.missingKeys).toEqual([]);
    const out = model.forward({ inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask') });
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    out.lastHiddenState.dispose();
    model.dispose();
  });

  it('a transformers 4 config (rope_theta + rope_scaling) gives the same logits as rope_parameters', async () => {
    const c = await readGolden(caseName('llama-rope-llama3'));
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-llama-v4-'));
    try {
      await cp(caseDir('llama-rope-llama3'), dir, { recursive: true });
      const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      const { rope_theta, rope_type, ...rest } = cfg.rope_parameters as Record<string, unknown>;
      delete cfg.rope_parameters;
      await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, rope_theta, rope_scaling: { type: rope_type, ...rest } }));
      const model = await LlamaForCausalLM.fromPretrained(dir);
      const out = model.forward({ inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask'), positionIds: c.inputs.get('position_ids') });
      await expectOutput(out.logits, c, 'logits', outScale);
      tf.dispose([out.logits, out.lastHiddenState]);
      model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const loaders: [string, (dir: string) => Promise<LlamaForCausalLM | LlamaForSequenceClassification>][] = [
    ['llama-causal-lm', (dir) => LlamaForCausalLM.fromPretrained(dir)],
    ['llama-tied-left', (dir) => LlamaForCausalLM.fromPretrained(dir)],
    ['llama-seqcls', (dir) => LlamaForSequenceClassification.fromPretrained(dir)],
  ];
  for (const [name, load] of loaders)
    it(`${name}: savePretrained → fromPretrained gives the same parameters and logits`, async () => {
      const c = await readGolden(caseName(name));
      const inputs = { inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask') };
      await expectSaveLoadRoundTrip(await load(caseDir(name)), load, inputs);
    });
});

describe('Llama config.json validation', () => {
  const base = { model_type: 'llama', vocab_size: 64, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 };
  it('defaults: kv heads = heads, head_dim = hidden / heads, default rope θ 10000, untied', () => {
    const c = parseLlamaConfig({ ...base, num_key_value_heads: undefined });
    expect(c).toMatchObject({ numKeyValueHeads: 4, headDim: 4, ropeTheta: 10000, ropeScaling: { type: 'default' }, tieWordEmbeddings: false, padTokenId: null, hiddenAct: 'silu' });
    expect(parseLlamaConfig({ ...base, rope_scaling: null, rope_theta: 500000 }).ropeTheta).toBe(500000);
    expect(parseLlamaConfig({ ...base, rope_scaling: { type: 'linear', factor: 2 } }).ropeScaling).toEqual({ type: 'linear', factor: 2 });
    expect(
      parseLlamaConfig({ ...base, rope_parameters: { rope_type: 'llama3', rope_theta: 5e5, factor: 8, low_freq_factor: 1, high_freq_factor: 4 }, max_position_embeddings: 128 })
        .ropeScaling,
    ).toEqual({
      type: 'llama3',
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 128,
    });
  });
  it('a wrong field type is a ConfigError naming the file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-llama-cfg-'));
    try {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ ...base, num_hidden_layers: '2' }));
      const err = await LlamaModel.fromPretrained(dir).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toMatch(/config\.json/);
      expect(err!.message).toMatch(/"num_hidden_layers" expected a positive integer/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('rejects unsupported rope types, bad head counts and activations by field', () => {
    for (const type of ['dynamic', 'longrope']) {
      expect(() => parseLlamaConfig({ ...base, rope_scaling: { type, factor: 2 } })).toThrow(ConfigError);
      expect(() => parseLlamaConfig({ ...base, rope_scaling: { rope_type: type, factor: 2 } })).toThrow(new RegExp(`"rope_scaling.rope_type" = "${type}" is not supported`));
      expect(() => parseLlamaConfig({ ...base, rope_parameters: { rope_type: type, factor: 2 } })).toThrow(/"rope_parameters.rope_type"/);
    }
    expect(() => parseLlamaConfig({ ...base, rope_scaling: { type: 'linear' } })).toThrow(/"factor" expected a positive number/);
    expect(() => parseLlamaConfig({ ...base, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 4, high_freq_factor: 1 } })).toThrow(
      /"high_freq_factor" 1 must be greater/,
    );
    expect(() => parseLlamaConfig({ ...base, num_key_value_heads: 3 })).toThrow(/num_attention_heads 4 is not a multiple of num_key_value_heads 3/);
    expect(() => parseLlamaConfig({ ...base, hidden_size: 18 })).toThrow(/hidden_size 18 is not a multiple of num_attention_heads 4/);
    expect(() => parseLlamaConfig({ ...base, head_dim: 5 })).toThrow(/"head_dim" expected an even number/);
    expect(() => parseLlamaConfig({ ...base, hidden_act: 'mish' })).toThrow(/"hidden_act" = "mish"/);
    expect(() => parseLlamaConfig({ ...base, pad_token_id: 64 })).toThrow(/"pad_token_id" 64 must be less than "vocab_size" 64/);
    expect(() => parseLlamaConfig({ ...base, partial_rotary_factor: 0.5 })).toThrow(/"partial_rotary_factor" expected 1/);
    expect(() => parseLlamaConfig({ ...base, model_type: 'mistral' })).toThrow(/"model_type"/);
    expect(() => parseLlamaConfig({ ...base, rms_norm_eps: 0 })).toThrow(/"rms_norm_eps" expected a positive number/);
  });
  it('llama3 inverse frequencies: high kept, low divided by factor, a ramp between', () => {
    const d = ropeInverseFrequencies(8, 100, { type: 'default' });
    const l = ropeInverseFrequencies(8, 100, { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 32 });
    expect(l[0]).toBe(d[0]); // wavelength 2π < 32/4
    expect(l[1]).toBeLessThan(d[1]!); // 8 < wavelength 19.9 < 32: the ramp
    expect(l[1]).toBeGreaterThan(d[1]! / 8);
    expect(l[2]).toBe(Math.fround(d[2]! / 8)); // wavelength 62.8 > 32
    expect(l[3]).toBe(Math.fround(d[3]! / 8));
    expect(Array.from(ropeInverseFrequencies(8, 10000, { type: 'linear', factor: 2 }))).toEqual(
      Array.from(ropeInverseFrequencies(8, 10000, { type: 'default' }), (v) => Math.fround(v / 2)),
    );
  });
});
