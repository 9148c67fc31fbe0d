import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawToTypedArray } from '@tfjs-peft/core';
import { assertClose, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '../llama';
import { convertLlama2c, convertLlama2cFile, halfToInterleavedRotary, interleavedToHalfRotary } from './index';
import { llama2cForward64 } from './llama2c-reference';
import { packLlama2c, randomLlama2c, type Llama2cShape } from './reference-io';

const CASES: [string, 0 | 1, Llama2cShape, boolean][] = [
  ['v0, tied, GQA 4/2', 0, { dim: 16, hiddenDim: 40, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 32, seqLen: 16 }, true],
  ['v0, untied, MHA 2/2', 0, { dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 2, nKvHeads: 2, vocabSize: 40, seqLen: 12 }, false],
  ['v1, tied, GQA 6/3', 1, { dim: 24, hiddenDim: 32, nLayers: 2, nHeads: 6, nKvHeads: 3, vocabSize: 32, seqLen: 16 }, true],
  ['v1, untied, MQA 4/1', 1, { dim: 16, hiddenDim: 40, nLayers: 3, nHeads: 4, nKvHeads: 1, vocabSize: 36, seqLen: 10 }, false],
];
const IDS = [1, 7, 3, 9, 2, 5, 8, 4];

async function ourLogits(dir: string, ids: number[]): Promise<Float32Array> {
  const model = await LlamaForCausalLM.fromPretrained(dir, { onWarning: (m) => expect.fail(m) });
  const logits = tf.tidy(() => model.forward({ inputIds: tf.tensor2d([ids], [1, ids.length], 'int32') }).logits);
  const out = (await logits.data()) as Float32Array;
  logits.dispose();
  model.dispose();
  return out;
}

const flat = (rows: Float64Array[]) => Float64Array.from(rows.flatMap((r) => [...r]));

describe('convertLlama2c on tiny random llama2.c files (no Python needed)', () => {
  for (const [name, version, shape, shared] of CASES)
    it(`${name}: config, tensor names and shapes, untouched arrays copied bit for bit`, () => {
      const m = randomLlama2c(shape, shared, 3);
      const { config, tensors, header } = convertLlama2c(packLlama2c(m, version), { label: 'tiny.bin' });
      expect(header).toMatchObject({ version, sharedClassifier: shared, vocabSize: shape.vocabSize });
      const kvDim = (shape.dim / shape.nHeads) * shape.nKvHeads;
      expect(config).toMatchObject({
        model_type: 'llama',
        hidden_size: shape.dim,
        intermediate_size: shape.hiddenDim,
        num_hidden_layers: shape.nLayers,
        num_attention_heads: shape.nHeads,
        num_key_value_heads: shape.nKvHeads,
        vocab_size: shape.vocabSize,
        max_position_embeddings: shape.seqLen,
        rms_norm_eps: 1e-5,
        rope_theta: 10000,
        hidden_act: 'silu',
        tie_word_embeddings: shared,
        bos_token_id: 1,
        eos_token_id: 2,
      });
      expect(tensors.size).toBe(2 + 9 * shape.nLayers + (shared ? 0 : 1));
      expect(tensors.has('lm_head.weight')).toBe(!shared);
      const get = (k: string) => rawToTypedArray(tensors.get(k)!, k) as Float32Array;
      expect(tensors.get('model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([kvDim, shape.dim]);
      expect(tensors.get('model.layers.1.mlp.down_proj.weight')!.shape).toEqual([shape.dim, shape.hiddenDim]);
      expect(get('model.embed_tokens.weight')).toEqual(m.tok);
      expect(get('model.layers.1.mlp.gate_proj.weight')).toEqual(m.w1[1]);
      expect(get('model.layers.1.mlp.down_proj.weight')).toEqual(m.w2[1]);
      expect(get('model.layers.1.mlp.up_proj.weight')).toEqual(m.w3[1]);
      expect(get('model.layers.1.self_attn.v_proj.weight')).toEqual(m.wv[1]);
      expect(get('model.layers.1.input_layernorm.weight')).toEqual(m.rmsAtt[1]);
      expect(get('model.layers.1.post_attention_layernorm.weight')).toEqual(m.rmsFfn[1]);
      expect(get('model.norm.weight')).toEqual(m.rmsFinal);
      if (!shared) expect(get('lm_head.weight')).toEqual(m.wcls);
      // transformers' permute: HF row h·d + s·d/2 + j is llama2.c row h·d + 2j + s
      const d = shape.dim / shape.nHeads;
      const k = get('model.layers.0.self_attn.k_proj.weight');
      for (const [h, s, j] of [
        [0, 1, 0],
        [shape.nKvHeads - 1, 0, d / 2 - 1],
        [shape.nKvHeads - 1, 1, 1],
      ] as const) {
        const hf = h * d + s * (d / 2) + j;
        const l2c = h * d + 2 * j + s;
        expect(k.subarray(hf * shape.dim, (hf + 1) * shape.dim)).toEqual(m.wk[0]!.subarray(l2c * shape.dim, (l2c + 1) * shape.dim));
      }
      // llama2.c's permute_reverse undoes it exactly
      expect(halfToInterleavedRotary(get('model.layers.1.self_attn.q_proj.weight'), shape.nHeads, shape.dim, shape.dim)).toEqual(m.wq[1]);
      expect(halfToInterleavedRotary(k, shape.nKvHeads, kvDim, shape.dim)).toEqual(m.wk[0]);
    });

  it('a different seed gives different weights (the bit-for-bit checks compare real data)', () => {
    const shape = CASES[0]![2];
    expect(randomLlama2c(shape, true, 3).wq[0]).not.toEqual(randomLlama2c(shape, true, 4).wq[0]);
  });

  it('interleavedToHalfRotary is a row permutation: not the identity, inverted by halfToInterleavedRotary', () => {
    const w = Float32Array.from({ length: 8 * 3 }, (_, i) => i);
    const p = interleavedToHalfRotary(w, 2, 8, 3);
    // head 0 (rows 0..3, d = 4): HF rows [0, 1, 2, 3] come from llama2.c rows [0, 2, 1, 3]
    expect([...p.subarray(0, 12)]).toEqual([0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11]);
    expect(halfToInterleavedRotary(p, 2, 8, 3)).toEqual(w);
  });
});

describe.each(testBackends())('llama2.c → HF folder → LlamaForCausalLM on %s: logits equal llama2.c’s own forward (float64)', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  // SwiftShader's WebGPU float32 matmuls: up to ~1e-2 on logits of ~16 (measured in CI), 3e-3 on ~1
  const tol = backend === 'webgpu' ? { atol: 2e-2, rtol: 5e-3 } : { atol: 1e-4, rtol: 1e-4 };

  for (const [name, version, shape, shared] of CASES)
    it(`${name}`, async () => {
      const m = randomLlama2c(shape, shared, 11);
      const tmp = await mkdtemp(join(tmpdir(), 'tfjs-peft-llama2c-'));
      await writeFile(join(tmp, 'tiny.bin'), packLlama2c(m, version));
      await convertLlama2cFile(join(tmp, 'tiny.bin'), join(tmp, 'hf'));
      const ids = IDS.slice(0, shape.seqLen);
      const ref = flat(llama2cForward64(m, ids));
      const before = tf.memory().numTensors;
      assertClose(await ourLogits(join(tmp, 'hf'), ids), ref, `${name}: LlamaForCausalLM vs llama2.c forward`, tol);
      expect(tf.memory().numTensors).toBe(before);
    });

  it('without the wq/wk permutation the logits differ (the parity above can fail)', async () => {
    const [, version, shape, shared] = CASES[0]!;
    const m = randomLlama2c(shape, shared, 11);
    const tmp = await mkdtemp(join(tmpdir(), 'tfjs-peft-llama2c-'));
    await writeFile(join(tmp, 'tiny.bin'), packLlama2c(m, version));
    await convertLlama2cFile(join(tmp, 'tiny.bin'), join(tmp, 'hf'));
    // put llama2.c's raw (interleaved) rows back in place of the converted ones
    const model = await LlamaForCausalLM.fromPretrained(join(tmp, 'hf'));
    const kvDim = (shape.dim / shape.nHeads) * shape.nKvHeads;
    for (let l = 0; l < shape.nLayers; l++) {
      const a = model.model.layers[l]!.self_attn;
      a.q_proj.weight.assign(tf.tensor2d(m.wq[l]!, [shape.dim, shape.dim]));
      a.k_proj.weight.assign(tf.tensor2d(m.wk[l]!, [kvDim, shape.dim]));
    }
    const logits = tf.tidy(() => model.forward({ inputIds: tf.tensor2d([IDS], [1, IDS.length], 'int32') }).logits);
    const ref = flat(llama2cForward64(m, IDS));
    const values = await logits.data();
    expect(() => assertClose(values, ref, 'unpermuted', tol)).toThrow(/max abs error/);
    logits.dispose();
    model.dispose();
  });
});
