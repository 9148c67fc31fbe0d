import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { CLIPVisionModel, CLIPVisionModelWithProjection } from '@tfjs-peft/models/clip';
import { applyPeft, type PeftConfig } from './index';
import { sgd } from './testing/toy';

/** A tiny CLIP vision tower (16×16 images, 2×2 patches of 8 + CLS), quick_gelu, no dropout. */
const CFG = {
  model_type: 'clip_vision_model',
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  image_size: 16,
  patch_size: 8,
  projection_dim: 8,
};

/** What each method trains with the description's default targets (CLIP has no PEFT table entry; `describeClipVision`). */
const CASES: [PeftConfig, RegExp, number][] = [
  [{ method: 'lora', r: 2, initLoraWeights: false } as PeftConfig, /^base_model\.encoder\.layers\.[01]\.self_attn\.(q_proj|v_proj)\.lora_[AB]\.default\.weight$/, 2 * 2 * 2],
  [{ method: 'ia3' } as PeftConfig, /^base_model\.encoder\.layers\.[01]\.(self_attn\.(k_proj|v_proj)|mlp\.fc2)\.ia3_l\.default$/, 2 * 3],
  [
    { method: 'ln-tuning' } as PeftConfig,
    /^base_model\.(pre_layrnorm|encoder\.layers\.[01]\.layer_norm[12]|post_layernorm)\.ln_tuning_layers\.default\.(weight|bias)$/,
    (1 + 2 * 2 + 1) * 2,
  ],
  // the description's attention shape sizes the prefixes (2 layers, 4 heads of 4)
  [{ method: 'prefix-tuning', numVirtualTokens: 3 } as PeftConfig, /^prompt_encoder\.default\./, 5],
  [{ method: 'p-tuning-v2', numVirtualTokens: 3 } as PeftConfig, /^prompt_encoder\.default\./, 1],
  // the description's parameter roles
  [{ method: 'bitfit' } as PeftConfig, /^base_model\..*\.bias$/, 1 + 2 * (4 + 2 + 2) + 1],
  [{ method: 'attention-only' } as PeftConfig, /^base_model\.encoder\.layers\.[01]\.self_attn\.(q|k|v|out)_proj\.(weight|bias)$/, 2 * 4 * 2],
  [{ method: 'ffn-only' } as PeftConfig, /^base_model\.encoder\.layers\.[01]\.mlp\.fc[12]\.(weight|bias)$/, 2 * 2 * 2],
];

describe('PEFT on CLIPVisionModel with default targets and roles (from describe())', () => {
  beforeAll(() => useBackend('cpu'));

  for (const [config, trains, count] of CASES)
    it(`${config.method}: trains exactly its targets, a few steps lower the loss and change nothing frozen`, async () => {
      tf.randomUniform([1], 0, 1, 'float32', 11).dispose();
      const model = new CLIPVisionModel(CFG);
      const peft = applyPeft(model, config);
      const trainable = peft.trainableParameters().map(([n]) => n);
      expect(trainable).toHaveLength(count);
      for (const n of trainable) expect(n).toMatch(trains);
      const before = new Map<string, Float32Array>();
      for (const [n, p] of peft.namedParameters()) before.set(n, (await p.value.data()) as Float32Array);
      const inputs = { pixelValues: tf.randomNormal([3, 3, 16, 16], 0, 1, 'float32', 5), outputHiddenStates: true };
      const target = tf.randomNormal([3, 16], 0, 1, 'float32', 6);
      const start = tf.memory().numTensors;
      // the pooled CLS and LLaVA's feature layer (hidden_states[-2]) both in the loss
      const loss = (o: unknown) => {
        const out = o as { poolerOutput: tf.Tensor; hiddenStates: tf.Tensor[] };
        return tf.add(tf.mean(tf.square(tf.sub(out.poolerOutput, target))), tf.mul(0.1, tf.mean(tf.square(out.hiddenStates.at(-2)!)))) as tf.Scalar;
      };
      const losses = await sgd(peft as never, inputs as never, loss, 8, 0.5);
      expect(tf.memory().numTensors).toBe(start);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      let changed = 0;
      for (const [n, p] of peft.namedParameters()) {
        const same = Array.from((await p.value.data()) as Float32Array).every((v, i) => v === before.get(n)![i]);
        if (!trainable.includes(n)) expect(same, `${n} is frozen but changed`).toBe(true);
        else if (!same) changed++;
      }
      expect(changed).toBe(count);
      tf.dispose([inputs.pixelValues, target]);
      peft.dispose();
    });

  it('prompt tuning is a clear error: the vision tower reads no token ids', () => {
    expect(() => applyPeft(new CLIPVisionModel(CFG), { method: 'prompt-tuning', numVirtualTokens: 3 } as PeftConfig)).toThrow(/CLIPVisionModel has no word embeddings/);
  });

  it('CLIPVisionModelWithProjection: the same targets under vision_model, the projection frozen', () => {
    const peft = applyPeft(new CLIPVisionModelWithProjection(CFG), { method: 'lora', r: 2 } as PeftConfig);
    const trainable = peft.trainableParameters().map(([n]) => n);
    expect(trainable).toHaveLength(8);
    for (const n of trainable) expect(n).toMatch(/^base_model\.vision_model\.encoder\.layers\.[01]\.self_attn\.(q_proj|v_proj)\.lora_[AB]\.default\.weight$/);
    peft.dispose();
  });
});
