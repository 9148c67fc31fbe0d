import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { reshapeView, addBias, addResidual, scaleShift, linear, requiresGrad, variableGrads } from './index';
import { testBackends, useBackend, read, tolerance } from './testing';

interface TapeEngine {
  state: { activeTape: { saved?: tf.Tensor[] }[] | null };
  scopedRun<T>(a: () => void, b: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/** How many tensors the tape keeps for the backward pass of `f` (tfjs's own bookkeeping). */
function savedByTape(f: () => tf.Tensor): number {
  const e = tf.engine() as unknown as TapeEngine;
  const y = e.scopedRun(
    () => e.startTape(),
    () => e.endTape(),
    () => e.tidy('forward', f),
  );
  const saved = (e.state.activeTape ?? []).flatMap((n) => n.saved ?? []);
  const n = saved.length;
  tf.dispose([y, ...saved]);
  e.state.activeTape = null;
  return n;
}

const arr = async (t: tf.Tensor) => Array.from(await read(t));

describe.each(testBackends())('lean-gradient ops on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('give the values and gradients of the tf ops they replace, saving nothing', async () => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
    const b = tf.randomNormal([4], 0, 1, 'float32', 2);
    const r = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 3);
    const mask = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 4);
    const cases: [string, (x: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
      ['reshapeView', (t) => reshapeView(t, [6, -1]), (t) => tf.reshape(t, [6, -1])],
      ['addBias', (t, bb) => addBias(t, bb), (t, bb) => tf.add(t, bb)],
      ['addResidual', (t) => addResidual(t, tf.mul(t, 3)), (t) => tf.add(t, tf.mul(t, 3))],
      ['scaleShift', (t) => scaleShift(t, 0.125, mask), (t) => tf.add(tf.mul(t, 0.125), mask)],
    ];
    for (const [name, ours, ref] of cases) {
      expect(await arr(ours(x, b)), name).toEqual(await arr(ref(x, b)));
      const weight = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.reshape(r, y.shape)));
      const g1 = tf.grads((t: tf.Tensor, bb: tf.Tensor) => weight(tf.add(ours(t, bb), tf.mul(bb, 0))))([x, b]);
      const g2 = tf.grads((t: tf.Tensor, bb: tf.Tensor) => weight(tf.add(ref(t, bb), tf.mul(bb, 0))))([x, b]);
      for (let i = 0; i < 2; i++) {
        const [a1, a2] = [await arr(g1[i]!), await arr(g2[i]!)];
        a1.forEach((v, j) => expect(v, `${name} grad ${i}`).toBeCloseTo(a2[j]!, 5));
      }
      tf.dispose([...g1, ...g2]);
    }
    expect(savedByTape(() => reshapeView(x, [6, 4]))).toBe(0);
    expect(savedByTape(() => addBias(x, b))).toBe(0);
    expect(savedByTape(() => addResidual(x, r))).toBe(0);
    expect(savedByTape(() => scaleShift(x, 2, mask))).toBe(0);
    // what tfjs keeps for the same ops: both inputs of add (for their shapes), the reshape input
    expect(savedByTape(() => tf.add(x, b))).toBe(2);
    expect(savedByTape(() => tf.reshape(x, [6, 4]))).toBe(1);
    tf.dispose([x, b, r, mask]);
  });

  it('linear keeps x only when the weight trains; a frozen weight gets no gradient', async () => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 5);
    const w = tf.variable(tf.randomNormal([5, 4], 0, 1, 'float32', 6), true);
    const bias = tf.variable(tf.randomNormal([5], 0, 1, 'float32', 7), true);
    const ref = (xi: tf.Tensor) => tf.add(tf.matMul(tf.reshape(xi, [6, 4]), w, false, true), bias);
    const tol = tolerance(backend, { atol: 1e-6, rtol: 1e-6 });
    const close = (got: number[], want: number[]) => got.forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(want[j]!)));
    close(await arr(linear(x, w, bias)), await arr(tf.reshape(ref(x), [2, 3, 5])));
    const dxTrain = tf.grad((xi: tf.Tensor) => tf.sum(tf.square(linear(xi, w, bias))))(x);
    // trainable weight: the matmul keeps x and W (tfjs's BatchMatMul), nothing else
    expect(savedByTape(() => linear(x, w, bias))).toBe(2);
    w.trainable = false;
    bias.trainable = false;
    expect(requiresGrad(w)).toBe(false);
    expect(savedByTape(() => linear(x, w, bias))).toBe(0);
    const dxFrozen = tf.grad((xi: tf.Tensor) => tf.sum(tf.square(linear(xi, w, bias))))(x);
    const want = await arr(dxTrain);
    (await arr(dxFrozen)).forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 4));
    // a frozen weight with a trainable bias: only the bias gets a gradient
    bias.trainable = true;
    const { value, grads } = variableGrads(() => tf.sum(linear(x, w, bias)) as tf.Scalar, [w, bias]);
    expect(grads[w.name]).toBeNull();
    expect(await arr(grads[bias.name]!)).toEqual(Array(5).fill(6));
    tf.dispose([x, w, bias, dxTrain, dxFrozen, value, grads[bias.name]!]);
  });

  it('names the bad input', () => {
    const x = tf.zeros([2, 3]);
    expect(() => addBias(x, tf.zeros([4]))).toThrow(/addBias.*bias.*\[3\]/);
    expect(() => addResidual(x, tf.zeros([3, 2]))).toThrow(/addResidual.*b.*\[2,3\]/);
    x.dispose();
  });
});
