import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { randomArray, testBackends, useBackend } from '../testing';
import '../register-gradients';
import { planBroadcast, setBroadcastBinary } from './wasm-broadcast-binary';

describe('planBroadcast', () => {
  it('drops size-1 dimensions and merges neighbours that broadcast alike', () => {
    expect(planBroadcast([8, 4, 128, 128], [8, 1, 1, 128])).toEqual({
      outShape: [8, 4, 128, 128],
      dims: [
        { size: 8, a: 65536, b: 128 },
        { size: 512, a: 128, b: 0 },
        { size: 128, a: 1, b: 1 },
      ],
    });
    expect(planBroadcast([1024, 256], [256])!.dims).toEqual([
      { size: 1024, a: 256, b: 0 },
      { size: 256, a: 1, b: 1 },
    ]);
    expect(planBroadcast([8, 1], [8, 2])!.dims).toEqual([
      { size: 8, a: 1, b: 2 },
      { size: 2, a: 0, b: 1 },
    ]);
    expect(planBroadcast([3, 1, 5], [1, 4, 1])!.outShape).toEqual([3, 4, 5]);
    expect(planBroadcast([3, 4], [5, 4])).toBeNull();
  });
});

const onWasm = testBackends().includes('wasm');

describe.runIf(onWasm)('wasm broadcasting Add/Sub/Multiply/RealDiv', () => {
  beforeAll(() => useBackend('wasm'));
  afterAll(() => {
    setBroadcastBinary(true);
  });

  const cases: [number[], number[]][] = [
    [[1024, 256], [256]],
    [[256], [1024, 256]],
    [
      [8, 4, 16, 16],
      [8, 1, 1, 16],
    ],
    [
      [8, 2],
      [8, 1],
    ],
    [
      [8, 1],
      [8, 2],
    ],
    [
      [3, 1, 5],
      [1, 4, 1],
    ],
    [
      [2, 3, 4, 5, 6],
      [3, 1, 5, 1],
    ],
    [[7, 1], [1]],
    [
      [1, 1],
      [6, 1, 1],
    ],
    [[5, 7], []],
  ];

  it("matches the backend's own kernels exactly for every op and broadcast pattern; no leaks", async () => {
    for (const [sa, sb] of cases) {
      const a = tf.tensor(
        Array.from(
          randomArray(
            sa.reduce((x, y) => x * y, 1),
            11,
          ),
        ),
        sa,
      );
      // divisors kept away from zero
      const b = tf.add(
        tf.abs(
          tf.tensor(
            Array.from(
              randomArray(
                sb.reduce((x, y) => x * y, 1),
                12,
              ),
            ),
            sb,
          ),
        ),
        0.5,
      );
      for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
        const before = tf.memory().numTensors;
        const ours = op(a, b);
        expect(setBroadcastBinary(false)).toBe(false);
        const theirs = op(a, b);
        expect(setBroadcastBinary(true)).toBe(true);
        expect(ours.shape, `${op.name} ${sa} ∘ ${sb}`).toEqual(theirs.shape);
        expect(Array.from(await ours.data()), `${op.name} ${sa} ∘ ${sb}`).toEqual(Array.from(await theirs.data()));
        tf.dispose([ours, theirs]);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([a, b]);
    }
  });

  it("int32 operands and incompatible shapes go to the backend's kernel (and its error)", async () => {
    const i = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    const r = tf.add(i, tf.tensor1d([10, 20], 'int32'));
    expect(r.dtype).toBe('int32');
    expect(Array.from(await r.data())).toEqual([11, 22, 13, 24]);
    expect(() => tf.add(tf.ones([3, 4]), tf.ones([5, 4]))).toThrow(/broadcast|shapes/i);
    tf.dispose([i, r]);
  });

  it('gradients through a broadcast add are unchanged', async () => {
    const x = tf.tensor(Array.from(randomArray(6 * 5, 3)), [6, 5]);
    const y = tf.tensor(Array.from(randomArray(5, 4)), [5]);
    const g = () => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.mul(tf.add(p, q), q))))([x, y]);
    const ours = await Promise.all(g().map((t) => t.data()));
    setBroadcastBinary(false);
    const theirs = await Promise.all(g().map((t) => t.data()));
    setBroadcastBinary(true);
    ours.forEach((o, i) => expect(Array.from(o)).toEqual(Array.from(theirs[i]!)));
    tf.dispose([x, y]);
  });
});
