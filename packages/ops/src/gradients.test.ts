import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { gradients, variableGrads, layerNorm, linear, gelu, softmax, dropout } from './index';
import { setLowMemoryBackprop } from './kernels';
import { testBackends, useBackend, read } from './testing';

/** A small MLP/attention mix with broadcasting adds, reshapes, a custom-gradient op and a reused input. */
function makeNet(seed: number) {
  const v = (shape: number[], s: number) => tf.variable(tf.randomNormal(shape, 0, 0.3, 'float32', seed + s));
  return {
    w1: v([16, 8], 1),
    b1: v([16], 2),
    w2: v([8, 16], 3),
    g: v([8], 4),
    beta: v([8], 5),
    frozen: tf.variable(tf.randomNormal([8, 8], 0, 0.3, 'float32', seed + 6), false),
  };
}
type Net = ReturnType<typeof makeNet>;

function loss(net: Net, x: tf.Tensor): tf.Scalar {
  let h = x;
  for (let i = 0; i < 6; i++) {
    const a = gelu(linear(h, net.w1, net.b1));
    const r = tf.reshape(linear(a, net.w2), [2, 3, 8]);
    const att = softmax(tf.matMul(r, r, false, true));
    const mixed = tf.reshape(tf.matMul(att, r), [6, 8]);
    // the same tensor twice into one op, a frozen weight, dropout's custom gradient
    h = layerNorm(tf.add(tf.add(mixed, mixed), linear(dropout(h, 0.1, 11 + i), net.frozen)), net.g, net.beta);
  }
  return tf.mean(tf.square(h));
}

async function snapshot(g: tf.NamedTensorMap): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(g)) if (t != null) out[k] = Array.from(await read(t));
  return out;
}

describe.each(testBackends())('gradients (low-memory backward) on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterEach(() => setLowMemoryBackprop(true));

  it('gives exactly the gradients of tf.variableGrads and leaks nothing', async () => {
    const net = makeNet(0);
    const x = tf.randomNormal([6, 8], 0, 1, 'float32', 9);
    const vars = [net.w1, net.b1, net.w2, net.g, net.beta, net.frozen];
    const before = tf.memory().numTensors;
    const ref = tf.variableGrads(() => loss(net, x), vars);
    const refG = await snapshot(ref.grads as tf.NamedTensorMap);
    const refV = (await read(ref.value))[0];
    tf.dispose([ref.value, ...Object.values(ref.grads).filter((t): t is tf.Tensor => t != null)]);
    expect(tf.memory().numTensors).toBe(before);

    const ours = variableGrads(() => loss(net, x), vars);
    expect((await read(ours.value))[0]).toBe(refV);
    expect(ours.grads[net.frozen.name]).toBeNull();
    expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(ref.grads).sort());
    const got = await snapshot(Object.fromEntries(Object.entries(ours.grads).filter(([, t]) => t != null)) as tf.NamedTensorMap);
    for (const [k, vals] of Object.entries(refG)) {
      if (k === net.frozen.name) continue;
      expect(got[k], k).toEqual(vals);
    }
    tf.dispose([ours.value, ...Object.values(ours.grads).filter((t): t is tf.Tensor => t != null)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...vars]);
  });

  it('keeps fewer bytes alive during the backward pass than tfjs', async () => {
    const ws = Array.from({ length: 12 }, (_, i) => tf.variable(tf.randomNormal([64, 64], 0, 0.1, 'float32', i)));
    const x = tf.randomNormal([256, 64], 0, 1, 'float32', 99);
    const f = () => {
      let h = x;
      // one tidy per layer, as the models do: only what the tape saved outlives a layer
      for (const w of ws) h = tf.tidy(() => tf.tanh(tf.matMul(h, w)));
      return tf.sum(h) as tf.Scalar;
    };
    const peak = async (low: boolean) => {
      setLowMemoryBackprop(low);
      const info = await tf.profile(() => {
        const { value, grads } = variableGrads(f, ws);
        tf.dispose([value, ...Object.values(grads).filter((t): t is tf.Tensor => t != null)]);
      });
      return info.peakBytes;
    };
    // a fresh engine has no activeTape field until its first tape; the low-memory pass must not need it
    delete (tf.engine() as unknown as { state: Record<string, unknown> }).state.activeTape;
    const lowPeak = await peak(true);
    const tfjsPeak = await peak(false);
    // the saved activations stay; the 24 intermediate gradients (64 KiB each) no longer pile up
    expect(lowPeak).toBeLessThan(0.8 * tfjsPeak);
    tf.dispose([x, ...ws]);
  });

  it('does not dispose a dy passed in, and takes gradients with respect to plain tensors', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const dy = tf.tensor1d([1, 10, 100]);
    const { value, grads } = gradients(() => tf.mul(tf.square(x), 2), [x], dy);
    expect(Array.from(await read(grads[0]!))).toEqual([4, 80, 1200]);
    expect(dy.isDisposed).toBe(false);
    expect(Array.from(await read(dy))).toEqual([1, 10, 100]);
    tf.dispose([value, grads[0]!, x, dy]);
  });

  it('keeps a gradient that is a saved tensor or the incoming dy itself', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    // d/dx (x²/2) = x, returned as the saved tensor; the identity returns dy itself
    type CustomFn = Parameters<typeof tf.customGrad>[0];
    const half = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
      save([t]);
      return { value: tf.div(tf.square(t), 2), gradFunc: (_dy: tf.Tensor, saved: tf.Tensor[]) => saved[0]! };
    }) as unknown as CustomFn) as unknown as (t: tf.Tensor) => tf.Tensor;
    const ident = tf.customGrad(((t: tf.Tensor) => ({ value: tf.clone(t), gradFunc: (dy: tf.Tensor) => dy })) as unknown as CustomFn) as unknown as (t: tf.Tensor) => tf.Tensor;
    const before = tf.memory().numTensors;
    const { value, grads } = gradients(() => tf.sum(half(ident(x))), [x]);
    expect(Array.from(await read(grads[0]!))).toEqual([1, 2, 3]);
    tf.dispose([value, grads[0]!]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('defers to tfjs inside an outer gradient (second derivatives)', async () => {
    const x = tf.scalar(2);
    // d/dx (d/dx x³) = 6x = 12
    const d2 = tf.grad((t: tf.Tensor) => {
      const { value, grads } = gradients(() => tf.pow(t, 3), [t]);
      value.dispose();
      return grads[0]!;
    })(x);
    expect((await read(d2))[0]).toBeCloseTo(12, 4);
    tf.dispose([x, d2]);
  });

  it('names what is wrong with bad calls', () => {
    const x = tf.scalar(1);
    const w = tf.variable(tf.scalar(1), false);
    expect(() => gradients(() => tf.scalar(3), [x])).toThrow(/does not depend on any of xs/);
    expect(() => gradients(() => tf.scalar(3), [])).toThrow(/xs is empty/);
    expect(() => variableGrads(() => tf.mul(w, 2) as tf.Scalar, [w])).toThrow(/none of the 1 variables is trainable/);
    const v = tf.variable(tf.ones([2]));
    expect(() => variableGrads(() => tf.mul(v, 2) as unknown as tf.Scalar, [v])).toThrow(/must return a scalar, got a rank-1 tensor/);
    tf.dispose([x, w, v]);
  });
});
