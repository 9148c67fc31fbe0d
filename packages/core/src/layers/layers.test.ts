import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose, ref, testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { Linear, LayerNorm, RMSNorm, isAffineNorm, Embedding, Dropout, Module, manualSeed } from '../index';

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

  it('RMSNorm is weight·x/√(mean(x²)+ε) (float64 reference), its gradient matches finite differences, and forwardWith swaps the weight', async () => {
    const n = new RMSNorm(4, 1e-6);
    const x = Float64Array.of(1, 2, 3, 5, -1, 0, 1, 0.5);
    const w = Float64Array.of(0.5, 1, 1.5, -2);
    n.weight.variable.assign(tf.tensor1d(Array.from(w)));
    const rms = (xs: Float64Array, ws: Float64Array) => {
      const out = new Float64Array(xs.length);
      for (let r = 0; r < xs.length / 4; r++) {
        let ms = 0;
        for (let i = 0; i < 4; i++) ms += xs[r * 4 + i]! ** 2 / 4;
        for (let i = 0; i < 4; i++) out[r * 4 + i] = (ws[i]! * xs[r * 4 + i]!) / Math.sqrt(ms + 1e-6);
      }
      return out;
    };
    const xt = tf.tensor(Array.from(x), [2, 4]);
    const y = n.forward(xt);
    assertClose(await y.data(), rms(x, w), 'RMSNorm', { atol: 1e-5, rtol: 1e-5 });
    const w2 = tf.tensor1d([1, 1, 1, 1]);
    const y2 = n.forwardWith(xt, w2, null);
    assertClose(await y2.data(), rms(x, new Float64Array(4).fill(1)), 'RMSNorm.forwardWith', { atol: 1e-5, rtol: 1e-5 });
    // d/dx of sum(c·y) against central differences of the float64 reference
    const c = Float64Array.of(0.3, -0.7, 1.1, 0.2, -0.4, 0.9, 0.5, -1.3);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(n.forward(v), tf.tensor(Array.from(c), [2, 4]))))(xt);
    const fd = new Float64Array(8);
    for (let i = 0; i < 8; i++) {
      const p = Float64Array.from(x);
      const m = Float64Array.from(x);
      p[i]! += 1e-5;
      m[i]! -= 1e-5;
      const yp = rms(p, w);
      const ym = rms(m, w);
      let s = 0;
      for (let j = 0; j < 8; j++) s += c[j]! * (yp[j]! - ym[j]!);
      fd[i] = s / 2e-5;
    }
    assertClose(await g.data(), fd, 'RMSNorm grad', { atol: 1e-3, rtol: 1e-3 });
    expect(n.bias).toBeNull();
    expect(n.namedParameters().map(([k]) => k)).toEqual(['weight']);
    expect(isAffineNorm(n) && isAffineNorm(new LayerNorm(2)) && !isAffineNorm(new Linear(2, 2))).toBe(true);
    tf.dispose([xt, y, w2, y2, g]);
    n.dispose();
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
