/**
 * PEFT on decoder language models: adapters made by Python PEFT (`scripts/make_golden.py`,
 * `task_type="CAUSAL_LM"`, PEFT's default targets for Llama and Qwen2) load onto our
 * LlamaForCausalLM / Qwen2ForCausalLM, and the logits, the shifted LM loss, every adapter
 * gradient (by PEFT key), the disabled model and the merged weights equal PEFT's.
 */
import { describe, it, expect, expectTypeOf, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { assertClose, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { rawToTypedArray, readSafetensors } from '@tfjs-peft/core';
import { LlamaForCausalLM } from '@tfjs-peft/models/llama';
import { Qwen2ForCausalLM } from '@tfjs-peft/models/qwen2';
import { loadPeft, adapterTensors, applyPeft, savePeft, type PeftConfig, type PeftModel } from '../index';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const CASES = [
  { name: 'peft-lora-llama', cls: LlamaForCausalLM, merges: true },
  { name: 'peft-dora-qwen2', cls: Qwen2ForCausalLM, merges: true },
  { name: 'peft-ia3-llama', cls: LlamaForCausalLM, merges: true },
  { name: 'peft-lntuning-llama', cls: LlamaForCausalLM, merges: true },
  { name: 'peft-lntuning-qwen2', cls: Qwen2ForCausalLM, merges: true },
  { name: 'peft-prefix-llama', cls: LlamaForCausalLM, merges: false },
  { name: 'peft-prompt-llama', cls: LlamaForCausalLM, merges: false },
] as const;

type Out = { logits: tf.Tensor; loss: tf.Tensor };

async function tensors(path: string): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, raw] of (await readSafetensors(path)).tensors) {
    const v = rawToTypedArray(raw, k);
    out.set(k, tf.tensor(v, raw.shape, v instanceof Float32Array ? 'float32' : 'int32'));
  }
  return out;
}

async function expectClose(t: tf.Tensor, ref: tf.Tensor, label: string, tol: number): Promise<void> {
  expect(t.shape, label).toEqual(ref.shape);
  const r = await ref.data();
  let max = 0;
  for (let i = 0; i < r.length; i++) max = Math.max(max, Math.abs(r[i]!));
  assertClose(await t.data(), r as Float32Array, label, { atol: tol * Math.max(1, max), rtol: 0 });
}

describe.each(testBackends())('PEFT golden adapters on decoders (%s)', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 2e-3 : 1e-4;

  for (const c of CASES) {
    it(`${c.name}: PEFT's adapter folder gives PEFT's logits, loss, gradients${c.merges ? ', merged weights' : ''} on ${c.cls.name}`, async () => {
      const dir = join(GOLDEN, c.name);
      const inputs = await tensors(join(dir, 'inputs.safetensors'));
      const ref = await tensors(join(dir, 'outputs.safetensors'));
      const x = { inputIds: inputs.get('input_ids')!, attentionMask: inputs.get('attention_mask')!, labels: inputs.get('labels')! };
      const model = await c.cls.fromPretrained(dir);
      const peft = (await loadPeft(model, join(dir, 'adapter'), { isTrainable: true })) as PeftModel;
      const before = tf.memory().numTensors;
      const run = (): Out => {
        const o = peft.forward(x) as Out;
        // prompt tuning returns the virtual tokens' positions too, as PEFT: compare the input's
        const p = o.logits.shape[1]! - x.inputIds.shape[1]!;
        if (p === 0) return o;
        const logits = tf.slice(o.logits, [0, p, 0], [-1, -1, -1]);
        tf.dispose(Object.values(o).filter((t) => t !== o.loss));
        return { logits, loss: o.loss };
      };
      const out = run();
      for (const [k, v] of Object.entries(out)) if (k !== 'logits' && k !== 'loss') (v as tf.Tensor).dispose();
      await expectClose(out.logits, ref.get('logits')!, `${c.name} logits`, tol);
      await expectClose(out.loss, ref.get('loss')!, `${c.name} loss`, tol);
      tf.dispose([out.logits, out.loss]);
      const off = peft.disableAdapters();
      const base = peft.forward(x) as Out;
      await expectClose(base.logits, ref.get('base.logits')!, `${c.name} base.logits`, tol);
      off.restore();
      tf.dispose(Object.values(base));
      expect(tf.memory().numTensors).toBe(before);

      const named = adapterTensors(peft, peft.entries[0]!).filter((t) => t.parameter);
      const keys = [...ref.keys()].filter((k) => k.startsWith('grad.')).map((k) => k.slice(5));
      expect(named.map((t) => t.key).sort()).toEqual(keys.sort());
      const { value, grads } = tf.variableGrads(
        () => run().loss as tf.Scalar,
        named.map((t) => t.parameter!.variable),
      );
      value.dispose();
      for (const t of named) await expectClose(grads[t.parameter!.variable.name]!, ref.get(`grad.${t.key}`)!, `${c.name} grad.${t.key}`, tol);
      tf.dispose(Object.values(grads));

      if (c.merges) {
        const plain = peft.mergeAndUnload();
        const params = new Map(plain.namedParameters());
        const mergedKeys = [...ref.keys()].filter((k) => k.startsWith('merged_param.'));
        expect(mergedKeys.length).toBeGreaterThan(0);
        for (const k of mergedKeys) {
          const hf = k.slice('merged_param.'.length);
          expect(params.has(hf), hf).toBe(true);
          await expectClose(params.get(hf)!.value, ref.get(k)!, `${c.name} ${k}`, tol);
        }
        const m = (plain as LlamaForCausalLM).forward(x) as Out;
        await expectClose(m.logits, ref.get('merged.logits')!, `${c.name} merged.logits`, tol);
        tf.dispose(Object.values(m));
        plain.dispose();
      } else peft.dispose();
      tf.dispose([...inputs.values(), ...ref.values()]);
    });
  }
});

describe('PEFT on decoders: defaults, round trip and GQA prefixes', () => {
  beforeAll(() => useBackend('cpu'));

  it('default targets are PEFT tables: LoRA q/v, IA3 k/v/down, LN tuning every RMSNorm on Llama and post_attention_layernorm only on Qwen2', async () => {
    const llama = await LlamaForCausalLM.fromPretrained(join(GOLDEN, 'peft-lora-llama'));
    const lora = applyPeft(llama, { method: 'lora' });
    const wrapped = (m: { namedModules(): [string, unknown][] }, re: RegExp) =>
      m
        .namedModules()
        .filter(([n]) => re.test(n))
        .map(([n]) => n.replace(/^.*\.layers\.\d+\./, ''));
    expect(new Set(wrapped(llama, /\.base_layer$/))).toEqual(new Set(['self_attn.q_proj.base_layer', 'self_attn.v_proj.base_layer']));
    lora.dispose();
    const qwen = await Qwen2ForCausalLM.fromPretrained(join(GOLDEN, 'peft-lntuning-qwen2'));
    const ln = applyPeft(qwen, { method: 'ln-tuning' });
    expect(new Set(wrapped(qwen, /\.base_layer$/))).toEqual(new Set(['post_attention_layernorm.base_layer']));
    ln.dispose();
  });

  it('selective methods on decoders train what the description names: ffn-only the MLPs, attention-only q/k/v/o, bitfit the Qwen2 q/k/v biases', async () => {
    const trained = async (cls: typeof LlamaForCausalLM | typeof Qwen2ForCausalLM, dir: string, config: PeftConfig) => {
      const peft = applyPeft(await cls.fromPretrained(join(GOLDEN, dir)), config);
      const names = peft.trainableParameters().map(([n]) => n.replace(/^.*\.layers\.\d+\./, ''));
      peft.dispose();
      return [...new Set(names)].sort();
    };
    expect(await trained(LlamaForCausalLM, 'peft-lora-llama', { method: 'ffn-only' })).toEqual(['mlp.down_proj.weight', 'mlp.gate_proj.weight', 'mlp.up_proj.weight']);
    expect(await trained(LlamaForCausalLM, 'peft-lora-llama', { method: 'attention-only' })).toEqual([
      'self_attn.k_proj.weight',
      'self_attn.o_proj.weight',
      'self_attn.q_proj.weight',
      'self_attn.v_proj.weight',
    ]);
    expect(await trained(Qwen2ForCausalLM, 'peft-lntuning-qwen2', { method: 'bitfit' })).toEqual(['self_attn.k_proj.bias', 'self_attn.q_proj.bias', 'self_attn.v_proj.bias']);
  });

  it('PeftModel.forward has the wrapped model’s input and output types (checked by tsc)', async () => {
    const model = await LlamaForCausalLM.fromPretrained(join(GOLDEN, 'peft-lora-llama'));
    const peft = applyPeft(model, { method: 'lora' });
    expectTypeOf(peft.forward).parameter(0).toEqualTypeOf<Parameters<LlamaForCausalLM['forward']>[0]>();
    expectTypeOf(peft.forward).returns.toEqualTypeOf<ReturnType<LlamaForCausalLM['forward']>>();
    const ids = tf.tensor2d([[3, 4]], [1, 2], 'int32');
    const out = peft.forward({ inputIds: ids }); // no cast: the model's output type
    expect(out.logits.shape).toEqual([1, 2, 40]);
    tf.dispose([ids, ...Object.values(out)]);
    peft.dispose();
  });

  it('an LN-tuning adapter on RMSNorms saves weight only (no bias key) and reloads to the same logits', async () => {
    const dir = join(GOLDEN, 'peft-lntuning-llama');
    const model = await LlamaForCausalLM.fromPretrained(dir);
    const peft = applyPeft(model, { method: 'ln-tuning' });
    const keys = adapterTensors(peft, peft.entries[0]!).map((t) => t.key);
    expect(keys.length).toBe(5); // 2 layers × 2 norms + the final norm
    expect(keys.every((k) => k.endsWith('.ln_tuning_layers.weight'))).toBe(true);
    const { MemoryFolder } = await import('@tfjs-peft/core');
    const folder = new MemoryFolder('ln-llama');
    for (const t of adapterTensors(peft, peft.entries[0]!)) t.write!(tf.tidy(() => tf.add(t.read(), 0.25)));
    await savePeft(peft, folder);
    const ids = tf.tensor2d([[3, 4, 5, 6]], [1, 4], 'int32');
    const a = (peft.forward({ inputIds: ids }) as Out).logits;
    const again = await loadPeft(await LlamaForCausalLM.fromPretrained(dir), folder);
    const b = (again.forward({ inputIds: ids }) as Out).logits;
    assertClose(await b.data(), await a.data(), 'reloaded logits', { atol: 1e-6, rtol: 0 });
    const other = await LlamaForCausalLM.fromPretrained(dir);
    expect(() => applyPeft(other, { method: 'ln-tuning', masks: { 'model.norm': { bias: new Array(16).fill(1) } } })).toThrow(
      /model\.norm\.bias given, but model\.norm \(LlamaRMSNorm\) has no bias/,
    );
    tf.dispose([ids, a, b]);
    other.dispose();
    peft.dispose();
    again.dispose();
  });
});
