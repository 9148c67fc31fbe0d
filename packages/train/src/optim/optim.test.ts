import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Parameter } from '@tfjs-peft/core';
import { setFusedKernels } from '@tfjs-peft/core/kernels';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { AdamW, SGD, learningRate, clipGradNorm, decayFor } from '../index';

// Expected values were printed by torch 2.13 (torch.optim.AdamW / SGD in float64) and transformers
// 5.18 (get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup) on the same inputs.
describe.each(testBackends().filter((b) => b !== 'webgpu'))('AdamW on %s matches torch.optim.AdamW', (backend) => {
  beforeAll(() => useBackend(backend));

  it('AdamW: decoupled weight decay, none on biases', async () => {
    const w = new Parameter(tf.tensor1d([0.5, -1.0, 2.0]));
    const b = new Parameter(tf.tensor1d([0.1, 0.2]));
    const opt = new AdamW(
      [
        ['layer.weight', w],
        ['layer.bias', b],
      ],
      { weightDecay: 0.1 },
    );
    const grads = [
      [
        [0.3, -0.2, 0.1],
        [0.5, -0.5],
      ],
      [
        [0.1, 0.4, -0.3],
        [0.2, 0.1],
      ],
      [
        [-0.5, 0.0, 0.2],
        [0.0, -0.3],
      ],
    ];
    for (const [gw, gb] of grads) {
      const g = { [w.variable.name]: tf.tensor1d(gw!), [b.variable.name]: tf.tensor1d(gb!) };
      opt.apply(g, 0.01);
      tf.dispose(Object.values(g));
    }
    const ew = [0.48162330346826737, -0.9935103543836423, 1.9887750682764824];
    const eb = [0.07406823623893809, 0.22175582257981294];
    Array.from(await w.value.data()).forEach((v, i) => expect(v).toBeCloseTo(ew[i]!, 6));
    Array.from(await b.value.data()).forEach((v, i) => expect(v).toBeCloseTo(eb[i]!, 6));
    expect(opt.stateBytes()).toBe(2 * 5 * 4);
    expect(opt.state().step).toBe(3);
  });
});

describe('optimizers and schedules match PyTorch / transformers', () => {
  beforeAll(() => useBackend('cpu'));

  it('SGD with momentum', async () => {
    const p = new Parameter(tf.tensor1d([1.0, 2.0]));
    const opt = new SGD([['w', p]], { momentum: 0.9 });
    for (const g of [
      [1.0, -1.0],
      [0.5, 0.5],
      [0.0, 1.0],
    ]) {
      const t = tf.tensor1d(g);
      opt.apply({ [p.variable.name]: t }, 0.1);
      t.dispose();
    }
    Array.from(await p.value.data()).forEach((v, i) => expect(v).toBeCloseTo([0.634, 2.076][i]!, 6));
  });

  it('linear and cosine schedules with warm-up', () => {
    const lin = [
      0.0, 0.3333333333333333, 0.6666666666666666, 1.0, 0.8571428571428571, 0.7142857142857143, 0.5714285714285714, 0.42857142857142855, 0.2857142857142857, 0.14285714285714285,
      0.0,
    ];
    const cos = [0.0, 0.5, 1.0, 0.9619397662556434, 0.8535533905932737, 0.6913417161825449, 0.5, 0.30865828381745514, 0.14644660940672627, 0.03806023374435663, 0.0];
    lin.forEach((v, s) => expect(learningRate('linear', 1, s, 10, 3)).toBeCloseTo(v, 12));
    cos.forEach((v, s) => expect(learningRate('cosine', 1, s, 10, 2)).toBeCloseTo(v, 12));
    expect(learningRate('constant', 2, 7, 10, 0)).toBe(2);
  });

  it('global-norm clipping scales all gradients together, only above the limit', async () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
    const r = await clipGradNorm(g, 1);
    expect(r.norm).toBeCloseTo(5, 6);
    expect(Array.from(await r.grads.a!.data())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(await r.grads.b!.data())[1]).toBeCloseTo(0.8, 5);
    const small = { a: tf.tensor1d([0.1]) };
    const s = await clipGradNorm(small, 1);
    expect(s.grads).toBe(small);
  });
});

describe.each(testBackends().filter((b) => b !== 'webgpu'))('AdamW on %s: the fused update (wasm SIMD, cpu) agrees with the composite one', (backend) => {
  beforeAll(() => useBackend(backend));

  it('same parameters and moments after three steps, and no tensor left behind', async () => {
    const run = async () => {
      const w = new Parameter(
        tf.tensor2d(
          Array.from({ length: 600 }, (_, i) => Math.sin(i)),
          [20, 30],
        ),
      );
      const b = new Parameter(tf.tensor1d(Array.from({ length: 30 }, (_, i) => Math.cos(i))));
      const opt = new AdamW(
        [
          ['dense.weight', w],
          ['dense.bias', b],
        ],
        { weightDecay: 0.05 },
      );
      const before = tf.memory().numTensors;
      for (let s = 0; s < 3; s++) {
        const g = tf.tidy(() => ({ [w.variable.name]: tf.mul(tf.sin(w.value), 0.3 + s), [b.variable.name]: tf.mul(tf.cos(b.value), 0.1) }));
        opt.apply(g, 1e-2);
        tf.dispose(Object.values(g));
      }
      const state = opt.state();
      expect(tf.memory().numTensors).toBe(before + 4); // the two moments of each parameter, made at step 1
      const out = [await w.value.data(), await b.value.data(), ...(await Promise.all([...state.slots.values()].map((t) => t.data())))].map((a) => Array.from(a));
      opt.dispose();
      w.dispose();
      b.dispose();
      return out;
    };
    const fused = await run();
    setFusedKernels(false);
    const composite = await run();
    setFusedKernels(true);
    // both float32, evaluated in another order; where m's two terms cancel (the gradient changed sign)
    // the difference grows to a few 1e-6 of a parameter moving 1e-2 per step
    fused.forEach((arr, k) =>
      arr.forEach((v, i) => expect(Math.abs(v - composite[k]![i]!), `array ${k} element ${i}: ${v} vs ${composite[k]![i]}`).toBeLessThan(5e-6 + 1e-5 * Math.abs(v))),
    );
  });
});

describe('weight decay exclusions (transformers Trainer.get_decay_parameter_names)', () => {
  it('exempts biases and every norm transformers exempts, in BERT, BLIP and Llama names', () => {
    // the names transformers 5.18 leaves out of decay on these models (its forbidden patterns + nn.LayerNorm)
    const exempt = [
      'bert.encoder.layer.0.attention.output.LayerNorm.weight',
      'bert.encoder.layer.0.attention.self.query.bias',
      'vision_model.encoder.layers.0.layer_norm1.weight',
      'model.layers.0.input_layernorm.weight',
      'model.layers.0.post_attention_layernorm.weight',
      'model.norm.weight',
      'model.layers.0.self_attn.q_norm.weight',
      'model.layers.0.input_layernorm.ln_tuning_layers.weight',
    ];
    const decayed = ['model.layers.0.self_attn.q_proj.weight', 'model.embed_tokens.weight', 'lm_head.weight', 'model.layers.0.mlp.down_proj.lora_A.weight', 'normalizer.weight'];
    for (const n of exempt) expect(decayFor(n, 0.1), n).toBe(0);
    for (const n of decayed) expect(decayFor(n, 0.1), n).toBe(0.1);
  });
});
