import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { testBackends, useBackend, read } from '@tfjs-peft/ops/testing';
import { applyPeft, type PeftConfig } from './index';
import { TOYS } from './testing/toy';

/**
 * One training step gives the same loss and gradients on every backend: tiny BERT and ViT, LoRA
 * (B initialised non-zero so both factors get gradients) and ln-tuning; cpu is the reference.
 */
const CASES: { toy: string; method: string; config: PeftConfig }[] = ['bert', 'vit'].flatMap((toy) => [
  { toy, method: 'lora', config: { method: 'lora', r: 4, loraAlpha: 8, initLoraWeights: false } as PeftConfig },
  { toy, method: 'ln-tuning', config: { method: 'ln-tuning' } as PeftConfig },
]);

async function step(backend: string, toyName: string, config: PeftConfig): Promise<{ loss: number; grads: Map<string, Float64Array> }> {
  await useBackend(backend as never);
  const toy = TOYS.find((t) => t.name === toyName)!;
  const model = toy.make(); // seeded: the same weights on every backend
  const peft = applyPeft(model, config);
  model.eval();
  const inputs = toy.inputs();
  const named = peft.trainableParameters();
  const { value, grads } = tf.variableGrads(
    () => toy.loss(peft.forward(inputs)),
    named.map(([, p]) => p.variable),
  );
  const out = { loss: (await read(value))[0]!, grads: new Map<string, Float64Array>() };
  for (const [name, p] of named) out.grads.set(name, await read(grads[p.variable.name]!));
  tf.dispose([value, ...Object.values(grads), ...Object.values(inputs)]);
  peft.dispose();
  return out;
}

describe.each(CASES)('backend parity: $toy with $method', ({ toy, method, config }) => {
  const backends = testBackends().filter((b) => b !== 'cpu');
  it.skipIf(!backends.length)(`one step on ${['cpu', ...backends].join(', ')} gives the same loss and gradients (float32 tolerance)`, async () => {
    const ref = await step('cpu', toy, config);
    expect(ref.grads.size).toBeGreaterThan(0);
    for (const b of backends) {
      const r = await step(b, toy, config);
      expect(Math.abs(r.loss - ref.loss), `${b} loss`).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.loss)));
      for (const [name, g] of ref.grads) {
        const h = r.grads.get(name)!;
        const scale = Math.max(...Array.from(g, Math.abs), 1e-6);
        const diff = Math.max(...Array.from(g, (v, i) => Math.abs(v - h[i]!)));
        expect(diff, `${b} ${method} gradient of ${name}`).toBeLessThan(1e-4 * scale + 1e-6);
      }
    }
    await useBackend('cpu');
  });
});
