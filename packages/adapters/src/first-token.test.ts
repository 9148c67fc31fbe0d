import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { testBackends, useBackend, assertClose } from '@tfjs-peft/ops/testing';
import { variableGrads } from '@tfjs-peft/core';
import { applyPeft, type PeftConfig } from './index';
import { TOYS } from './testing/toy';

// firstTokenOnly (the last layer for the first position only) under every adapter: the same loss and
// the same gradient for every trainable parameter as the full pass
const CASES: [string, PeftConfig, string[]][] = [
  ['lora', { method: 'lora', r: 2, initLoraWeights: false }, ['bert', 'vit']],
  ['ia3', { method: 'ia3' }, ['bert', 'vit']],
  ['ln-tuning', { method: 'ln-tuning' }, ['bert', 'vit']],
  ['bitfit', { method: 'bitfit' }, ['bert', 'vit']],
  ['prefix-tuning', { method: 'prefix-tuning', numVirtualTokens: 3 }, ['bert', 'vit']],
  ['p-tuning-v2', { method: 'p-tuning-v2', numVirtualTokens: 3 }, ['bert']],
  ['prompt-tuning', { method: 'prompt-tuning', numVirtualTokens: 3 }, ['bert']],
];

describe.each(testBackends())('firstTokenOnly under each adapter (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const [name, config, models] of CASES)
    for (const toy of TOYS.filter((t) => models.includes(t.name)))
      it(`${name} on ${toy.name}: loss and every trainable gradient equal the full pass`, async () => {
        const peft = applyPeft(toy.make(), config);
        const inputs = toy.inputs();
        const params = peft.trainableParameters();
        const run = async (first: boolean) => {
          const { value, grads } = variableGrads(
            () => toy.loss(peft.forward({ ...inputs, firstTokenOnly: first } as never)),
            params.map(([, p]) => p.variable),
          );
          const out = { loss: (await value.data())[0]!, grads: await Promise.all(params.map(([, p]) => grads[p.variable.name]!.data())) };
          tf.dispose([value, ...Object.values(grads)]);
          return out;
        };
        const before = tf.memory().numTensors;
        const full = await run(false);
        const lean = await run(true);
        expect(tf.memory().numTensors).toBe(before);
        expect(Math.abs(lean.loss - full.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(full.loss)));
        let nonZero = 0;
        params.forEach(([pname], i) => {
          let scale = 0;
          for (const v of full.grads[i]!) scale = Math.max(scale, Math.abs(v));
          if (scale > 0) nonZero++;
          assertClose(lean.grads[i]!, full.grads[i]!, `${name}/${toy.name}: gradient of ${pname}`, { atol: 1e-4 * scale + 1e-7, rtol: 0 });
        });
        expect(nonZero).toBeGreaterThan(0);
        tf.dispose(Object.values(inputs));
        peft.dispose();
      });
});
