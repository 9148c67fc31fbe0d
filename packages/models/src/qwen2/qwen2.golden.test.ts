import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { Qwen2ForCausalLM, Qwen2ForSequenceClassification, Qwen2Model } from './index';
import { GOLDEN_DIR, readGolden, expectOutput, expectGrads, expectSaveLoadRoundTrip } from '../testing/golden';
import { GENERATE_RUNS, generateCase } from '../llama/generation/golden-sequences';

/** The cases `scripts/make_golden.py` writes beside this file (transformers' Qwen2, eager attention). */
const HERE = fileURLToPath(new URL('./golden', import.meta.url));
const caseName = (name: string) => relative(GOLDEN_DIR, join(HERE, name));
const caseDir = (name: string) => join(HERE, name);

/** per layer: q/k/v weights and biases, o weight; gate/up/down; 2 norms */
const PER_LAYER = 7 + 3 + 2;

describe.each(testBackends())('Qwen2 golden parity (transformers) on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 100 : 10; // 1e-4

  const cases: [string, string, (dir: string) => Promise<Qwen2ForCausalLM | Qwen2ForSequenceClassification>, number][] = [
    ['qwen2-causal-lm', 'untied lm_head, GQA, right padding, labels with −100', (d) => Qwen2ForCausalLM.fromPretrained(d), 2 + 2 * PER_LAYER + 1],
    ['qwen2-tied-left', 'tied lm_head, GQA, left padding', (d) => Qwen2ForCausalLM.fromPretrained(d), 2 + 2 * PER_LAYER],
    ['qwen2-seqcls', 'sequence classification on the last non-pad token, MHA, left padding', (d) => Qwen2ForSequenceClassification.fromPretrained(d), 2 + 2 * PER_LAYER + 1],
  ];
  for (const [name, what, load, params] of cases)
    it(`${name} (${what}): logits, hidden states, loss and every parameter's gradient`, async () => {
      const c = await readGolden(caseName(name));
      const model = await load(caseDir(name));
      const inputs = { inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask'), labels: c.inputs.get('labels') };
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

  it('the checkpoints have q/k/v biases and no o_proj or MLP bias; every weight is loaded', async () => {
    for (const [name, load] of cases.map(([n, , l]) => [n, l] as const)) {
      const model = await load(caseDir(name));
      expect(model.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
      const names = model.namedParameters().map(([n]) => n);
      for (const p of ['q_proj', 'k_proj', 'v_proj']) expect(names).toContain(`model.layers.1.self_attn.${p}.bias`);
      expect(names.filter((n) => n.endsWith('.bias'))).toHaveLength(6);
      expect(model.model).toBeInstanceOf(Qwen2Model);
      expect(model.model.describe().modelType).toBe('qwen2');
      model.dispose();
    }
  });

  it('qwen2-tied-left: lm_head shares embed_tokens.weight, the checkpoint has no lm_head.weight', async () => {
    const model = await Qwen2ForCausalLM.fromPretrained(caseDir('qwen2-tied-left'), { onWarning: (m) => expect.fail(m) });
    expect(model.lm_head.weight).toBe(model.model.embed_tokens.weight);
    expect(model.namedParameters().map(([n]) => n)).not.toContain('lm_head.weight');
    model.dispose();
  });

  it('Qwen2Model loads a head checkpoint (model. prefix stripped, lm_head ignored)', async () => {
    const c = await readGolden(caseName('qwen2-tied-left'));
    const model = await Qwen2Model.fromPretrained(caseDir('qwen2-tied-left'), { onWarning: () => undefined });
    expect(model.loadingInfo!.missingKeys).toEqual([]);
    const out = model.forward({ inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask') });
    await expectOutput(out.lastHiddenState, c, 'last_hidden_state', outScale);
    out.lastHiddenState.dispose();
    model.dispose();
  });

  for (const [name, , load] of cases)
    it(`${name}: savePretrained → fromPretrained gives the same parameters, logits and a config transformers reads as Qwen2`, async () => {
      const c = await readGolden(caseName(name));
      const inputs = { inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask') };
      await expectSaveLoadRoundTrip(await load(caseDir(name)), load, inputs, async (dir) => {
        const saved = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
        expect(saved.model_type).toBe('qwen2');
        expect(saved.use_sliding_window).toBe(false);
      });
    });

  for (const [run, options] of GENERATE_RUNS)
    it(`qwen2-generate ${run}: cached and uncached generate give transformers' sequences (ragged, left-padded prompts, several EOS ids)`, async () => {
      const c = await readGolden(caseName('qwen2-generate'));
      const g = await generateCase(c);
      const model = await Qwen2ForCausalLM.fromPretrained(caseDir('qwen2-generate'));
      const padTokenId = await g.pad(run);
      const before = tf.memory().numTensors;
      expect((await model.generate(g.prompts, { ...options, eosTokenId: g.eos, padTokenId })).sequences).toEqual(g.expected(run));
      expect((await model.generate(g.prompts, { ...options, eosTokenId: g.eos, padTokenId, useCache: false })).sequences).toEqual(g.expected(run));
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

  it('a checkpoint whose config.json turns the sliding window on is a ConfigError naming the file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-qwen2-sw-'));
    try {
      await cp(caseDir('qwen2-causal-lm'), dir, { recursive: true });
      const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, use_sliding_window: true, sliding_window: 4 }));
      const err = await Qwen2ForCausalLM.fromPretrained(dir).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toMatch(/config\.json: "use_sliding_window" = true is not supported/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
