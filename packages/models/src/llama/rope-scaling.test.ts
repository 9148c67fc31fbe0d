import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { useBackend, testBackends } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { parseLlamaConfig } from './config';
import { LlamaRotaryEmbedding, ropeInverseFrequencies } from './llama-model';

interface RopeCase {
  name: string;
  config: Record<string, unknown>;
  inv_freq: number[];
  attention_scaling: number;
  positions: number[][];
  cos: number[][];
  sin: number[][];
}
const golden = JSON.parse(readFileSync(new URL('./golden/rope-scaling.json', import.meta.url), 'utf8')) as { cases: RopeCase[] };

describe('RoPE scaling against transformers (golden/rope-scaling.json, scripts/make_rope_golden.py)', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s: inverse frequencies and attention factor', (_, c) => {
    const cfg = parseLlamaConfig(c.config);
    expect(cfg.ropeScaling.type).toBe('yarn');
    const inv = ropeInverseFrequencies(cfg.headDim, cfg.ropeTheta, cfg.ropeScaling);
    expect(inv.length).toBe(c.inv_freq.length);
    inv.forEach((v, i) => expect(Math.abs(v - c.inv_freq[i]!)).toBeLessThanOrEqual(2e-7 * Math.abs(c.inv_freq[i]!) + 1e-12));
    expect(new LlamaRotaryEmbedding(cfg).attentionScaling).toBeCloseTo(c.attention_scaling, 12);
  });

  for (const backend of testBackends())
    it(`cos and sin at positions up to 40,000, scaled by the attention factor (${backend})`, async () => {
      await useBackend(backend);
      for (const c of golden.cases) {
        const rope = new LlamaRotaryEmbedding(parseLlamaConfig(c.config));
        const pos = tf.tensor2d(c.positions, undefined, 'int32');
        const { cos, sin } = rope.forward(pos);
        const [gotCos, gotSin] = [(await cos.array()) as number[][][], (await sin.array()) as number[][][]];
        tf.dispose([pos, cos, sin]);
        // float32 angles: at position 40,000 one ulp of the angle is 0.004 rad, so far positions get a looser bound
        c.positions[0]!.forEach((p, t) => {
          const [near, far] = backend === 'cpu' ? [1e-5, 1e-4] : backend === 'wasm' ? [2e-4, 5e-3] : [1e-3, 2e-2]; // webgpu: SwiftShader's cos/sin
          const tol = p > 3000 ? far : near;
          for (let d = 0; d < c.cos[t]!.length; d++) {
            expect(Math.abs(gotCos[0]![t]![d]! - c.cos[t]![d]!), `${c.name} cos t=${p} d=${d}`).toBeLessThanOrEqual(tol);
            expect(Math.abs(gotSin[0]![t]![d]! - c.sin[t]![d]!), `${c.name} sin t=${p} d=${d}`).toBeLessThanOrEqual(tol);
          }
        });
      }
    });

  it('rejects what it does not implement or what is malformed, naming the field', () => {
    const base = { model_type: 'llama', hidden_size: 64, num_attention_heads: 4, max_position_embeddings: 4096 };
    expect(() => parseLlamaConfig({ ...base, rope_scaling: { type: 'dynamic', factor: 2 } })).toThrow(ConfigError);
    expect(() => parseLlamaConfig({ ...base, rope_scaling: { type: 'dynamic', factor: 2 } })).toThrow(
      /"rope_scaling\.type" = "dynamic" is not supported .*NTK.*; supported: "default", "linear", "llama3", "yarn"/,
    );
    expect(() => parseLlamaConfig({ ...base, rope_parameters: { rope_type: 'yarn', rope_theta: 1e4 } })).toThrow(/rope_parameters.*"factor"/);
    expect(() => parseLlamaConfig({ ...base, rope_parameters: { rope_type: 'yarn', factor: 4, truncate: 'yes' } })).toThrow(/"truncate" expected true or false, got "yes"/);
  });
});
