/**
 * PEFT on LlavaForConditionalGeneration with the description's defaults: LoRA, IA3 and LN tuning
 * adapt the language model only (PEFT 0.21 has no llava LoRA/IA3 entry, and a bare `q_proj`/`v_proj`
 * would also hit the CLIP tower), prefix tuning sizes itself from the language model's GQA
 * attention, the selective methods train the roles the description names; a few steps on the
 * transformers golden case lower the loss and change nothing frozen.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { rawToTypedArray, readSafetensors } from '@tfjs-peft/core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { LlavaForConditionalGeneration } from '@tfjs-peft/models/llava';
import { applyPeft, type PeftConfig } from './index';
import { sgd } from './testing/toy';

const DIR = fileURLToPath(new URL('../../models/src/llava/golden/llava-default', import.meta.url));
const LM = /^base_model\.model\.language_model\.layers\.\d+\./;

const CASES: [PeftConfig, RegExp][] = [
  [{ method: 'lora', r: 2, initLoraWeights: false } as PeftConfig, new RegExp(`${LM.source}self_attn\\.(q_proj|v_proj)\\.lora_[AB]\\.default\\.weight$`)],
  [{ method: 'ia3' } as PeftConfig, new RegExp(`${LM.source}(self_attn\\.(k_proj|v_proj)|mlp\\.down_proj)\\.ia3_l\\.default$`)],
  [{ method: 'ln-tuning' } as PeftConfig, /^base_model\.model\.language_model\.(layers\.\d+\.(input_layernorm|post_attention_layernorm)|norm)\.ln_tuning_layers\.default\.weight$/],
  [{ method: 'p-tuning-v2', numVirtualTokens: 3 } as PeftConfig, /^prompt_encoder\.default\./],
  [{ method: 'ffn-only' } as PeftConfig, /\.(mlp\.(gate_proj|up_proj|down_proj|fc1|fc2))\.(weight|bias)$/],
  [{ method: 'attention-only' } as PeftConfig, /\.self_attn\.(q_proj|k_proj|v_proj|o_proj|out_proj)\.(weight|bias)$/],
];

async function inputs(): Promise<Record<string, tf.Tensor>> {
  const t = (await readSafetensors(`${DIR}/inputs.safetensors`)).tensors;
  const get = (k: string) => {
    const v = rawToTypedArray(t.get(k)!, k);
    return tf.tensor(v, t.get(k)!.shape, v instanceof Float32Array ? 'float32' : 'int32');
  };
  return { inputIds: get('input_ids'), attentionMask: get('attention_mask'), pixelValues: get('pixel_values'), labels: get('labels') };
}

describe('PEFT on LlavaForConditionalGeneration with default targets (from describe())', () => {
  beforeAll(() => useBackend('cpu'));

  for (const [config, trains] of CASES)
    it(`${config.method}: trains only its targets, a few steps lower the loss and change nothing frozen`, async () => {
      const peft = applyPeft(await LlavaForConditionalGeneration.fromPretrained(DIR), config);
      const trainable = peft.trainableParameters().map(([n]) => n);
      expect(trainable.length).toBeGreaterThan(0);
      for (const n of trainable) expect(n).toMatch(trains);
      const before = new Map<string, Float32Array>();
      for (const [n, p] of peft.namedParameters()) before.set(n, (await p.value.data()) as Float32Array);
      const x = await inputs();
      const losses = await sgd(peft as never, x, (o) => (o as { loss: tf.Scalar }).loss, 4, 0.5);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      const frozen = new Set(trainable);
      for (const [n, p] of peft.namedParameters()) {
        if (frozen.has(n)) continue;
        const same = Array.from((await p.value.data()) as Float32Array).every((v, i) => v === before.get(n)![i]);
        expect(same, `${n} is frozen but changed`).toBe(true);
      }
      tf.dispose(Object.values(x));
      peft.dispose();
    });
});
