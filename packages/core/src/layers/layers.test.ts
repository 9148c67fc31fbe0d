import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose, ref, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { Linear, LayerNorm, Embedding, Dropout, Module, manualSeed } from '../index';

describe.each(testBackends())('layers on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('Linear computes x·Wᵀ+b with [out,in] weights; init is seeded and PyTorch-bounded', async () => {
    manualSeed(1);
    const l = new Linear(6, 3);
    manualSeed(1);
    const l2 = new Linear(6, 3);
    const w = Float64Array.from(await l.weight.value.data());
    expect(Array.from(w)).toEqual(Array.from(await l2.weight.value.data()));
    expect(w.every((v) => Math.abs(v) <= 1 / Math.sqrt(6))).toBe(true);
    const b = Float64Array.from(await l.bias!.value.data());
    const x = Float64Array.from({ length: 12 }, (_, i) => Math.fround(i / 7 - 0.5));
    const y = l.forward(tf.tensor(Array.from(x), [2, 6]));
    assertClose(await y.data(), ref.linear(x, w, b, 2, 6, 3), 'Linear');
    tf.dispose(y);
    l.dispose();
    l2.dispose();
  });

  it('LayerNorm starts at γ=1, β=0 and uses its eps', async () => {
    const ln = new LayerNorm(4, 1e-12);
    const x = Float64Array.of(1, 2, 3, 5, -1, 0, 1, 0.5);
    const y = ln.forward(tf.tensor(Array.from(x), [2, 4]));
    assertClose(await y.data(), ref.layerNorm(x, new Float64Array(4).fill(1), new Float64Array(4), 4, 1e-12), 'LayerNorm', { atol: 1e-5, rtol: 1e-4 });
    tf.dispose(y);
    ln.dispose();
  });

  it('Embedding zeroes the padding row and looks ids up', async () => {
    const e = new Embedding(5, 3, { paddingIdx: 0 });
    const rows = await e.weight.value.data();
    expect(Array.from(rows.slice(0, 3))).toEqual([0, 0, 0]);
    const y = e.forward(tf.tensor2d([[2, 0]], [1, 2], 'int32'));
    expect(y.shape).toEqual([1, 2, 3]);
    expect(Array.from(await y.data()).slice(0, 3)).toEqual(Array.from(rows.slice(6, 9)));
    tf.dispose(y);
    e.dispose();
  });

  it('Dropout acts in train mode only, with a fresh mask per call', async () => {
    const d = new Dropout(0.5);
    const x = tf.ones([64]);
    const a = await d.forward(x).data();
    const b = await d.forward(x).data();
    expect(Array.from(a)).not.toEqual(Array.from(b));
    d.eval();
    expect(d.forward(x)).toBe(x);
    x.dispose();
  });

  it('gradients flow only to trainable parameters, and nothing leaks across steps', async () => {
    class Net extends Module {
      a = new Linear(4, 4);
      ln = new LayerNorm(4);
      b = new Linear(4, 2);
      forward(x: tf.Tensor) {
        return this.b.forward(this.ln.forward(this.a.forward(x)));
      }
    }
    const net = new Net();
    net.freeze((n) => !n.startsWith('ln.'));
    const x = tf.randomNormal([3, 4]);
    const vars = net.trainableParameters().map(([, p]) => p.variable);
    let count = -1;
    for (let step = 0; step < 3; step++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(net.forward(x)) as tf.Scalar, vars);
      expect(Object.keys(grads).sort()).toEqual(vars.map((v) => v.name).sort());
      tf.dispose([value, ...Object.values(grads)]);
      if (count >= 0) expect(tf.memory().numTensors).toBe(count);
      count = tf.memory().numTensors;
    }
    x.dispose();
    net.dispose();
  });
});
