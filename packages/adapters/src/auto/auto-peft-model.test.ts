import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawToTypedArray, readSafetensors } from '@tfjs-peft/core';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '@tfjs-peft/models/llama';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { applyPeft, PeftError } from '../index';
import { AutoPeftModel, AutoPeftModelForCausalLM, AutoPeftModelForSequenceClassification } from './index';

const CAUSAL = fileURLToPath(new URL('../causal-lm/golden/', import.meta.url));
const DORA = fileURLToPath(new URL('../dora/golden/peft-dora-bert', import.meta.url));
const ids = () => tf.tensor2d([[3, 4, 5, 6]], [1, 4], 'int32');
const logitsOf = async (m: { forward(i: never): unknown }, x: Record<string, tf.Tensor>) => {
  const o = m.forward(x as never) as Record<string, tf.Tensor>;
  const v = Array.from(await o.logits!.data());
  tf.dispose(Object.values(o));
  return v;
};

describe('AutoPeftModel*.fromPretrained', () => {
  beforeAll(() => useBackend('cpu'));

  it('saving records the base model as base_model_name_or_path; AutoPeftModelForCausalLM loads base and adapter back with the same logits', async () => {
    const base = join(CAUSAL, 'peft-lora-llama');
    const model = await LlamaForCausalLM.fromPretrained(base);
    expect(model.nameOrPath).toBe(base);
    const peft = applyPeft(model, { method: 'lora', r: 2, initLoraWeights: false });
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-auto-'));
    await peft.save(dir);
    const cfg = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg.base_model_name_or_path).toBe(base);
    expect(cfg.task_type).toBe('CAUSAL_LM');
    const x = { inputIds: ids() };
    const want = await logitsOf(peft, x);
    const again = await AutoPeftModelForCausalLM.fromPretrained(dir);
    expect(again.base_model).toBeInstanceOf(LlamaForCausalLM);
    expect(again.trainableParameters()).toHaveLength(0); // frozen, as PEFT's from_pretrained
    assertClose(await logitsOf(again, x), want, 'AutoPeftModelForCausalLM logits', { atol: 1e-6, rtol: 0 });
    const trainable = await AutoPeftModel.fromPretrained(dir, { isTrainable: true });
    expect(trainable.trainableParameters().length).toBeGreaterThan(0);
    tf.dispose(Object.values(x));
    for (const m of [peft, again, trainable]) m.dispose();
  });

  it("Python PEFT's adapters load by task type with a given base (SEQ_CLS BERT DoRA, CAUSAL_LM Llama prefix) and give PEFT's logits", async () => {
    const bert = await AutoPeftModel.fromPretrained(join(DORA, 'adapter'), { baseModel: DORA });
    expect(bert.base_model).toBeInstanceOf(BertForSequenceClassification);
    const read = async (f: string) => {
      const t = (await readSafetensors(f)).tensors;
      return new Map([...t].map(([k, r]) => [k, rawToTypedArray(r, k)]));
    };
    const inp = await read(join(DORA, 'inputs.safetensors'));
    const out = await read(join(DORA, 'outputs.safetensors'));
    const t2 = (k: string, s: number[]) => tf.tensor(inp.get(k)!, s, 'int32');
    const shape = [3, 7];
    const x = { inputIds: t2('input_ids', shape), attentionMask: t2('attention_mask', shape), tokenTypeIds: t2('token_type_ids', shape) };
    assertClose(await logitsOf(bert, x), out.get('logits')!, 'DoRA via AutoPeftModel', { atol: 1e-4, rtol: 0 });
    tf.dispose(Object.values(x));
    bert.dispose();
    const prefix = join(CAUSAL, 'peft-prefix-llama');
    const lm = await AutoPeftModelForCausalLM.fromPretrained(join(prefix, 'adapter'), { baseModel: prefix });
    expect(lm.base_model).toBeInstanceOf(LlamaForCausalLM);
    lm.dispose();
  });

  it('names what is wrong: the task type, a missing base, a hub id', async () => {
    const dir = join(CAUSAL, 'peft-lora-llama', 'adapter');
    await expect(AutoPeftModelForSequenceClassification.fromPretrained(dir, { baseModel: join(CAUSAL, 'peft-lora-llama') })).rejects.toThrow(
      /adapter_config\.json has "task_type" "CAUSAL_LM", expected "SEQ_CLS"/,
    );
    // the committed cases name the base by its folder name only: not a loadable path from here, and
    // a hub id that an empty cache does not have, offline
    const offline = { localFilesOnly: true, cacheDir: await mkdtemp(join(tmpdir(), 'peft-auto-hub-')) };
    await expect(AutoPeftModelForCausalLM.fromPretrained(dir, offline)).rejects.toThrow(PeftError);
    await expect(AutoPeftModelForCausalLM.fromPretrained(dir, { ...offline, baseModel: 'HuggingFaceTB/SmolLM2-135M' })).rejects.toThrow(
      /the base model "HuggingFaceTB\/SmolLM2-135M" \(from options\.baseModel\) did not load with AutoModelForCausalLM: HuggingFaceTB\/SmolLM2-135M: "config\.json" \(revision "main"\) is not in the cache/,
    );
  });
});
