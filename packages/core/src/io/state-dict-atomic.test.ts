import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Module, Linear, LayerNorm, loadStateDict, StateDictError, type RawTensor } from '../index';

class Net extends Module {
  dense = new Linear(3, 2);
  LayerNorm = new LayerNorm(2);
}

const f32raw = (shape: number[], v: number): RawTensor => ({
  dtype: 'F32',
  shape,
  bytes: new Uint8Array(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v).buffer),
});

async function snapshot(n: Net): Promise<number[][]> {
  return Promise.all(n.namedParameters().map(async ([, p]) => Array.from(await (p.value as tf.Tensor).data())));
}

describe('loadStateDict is atomic: on any error no parameter changes and nothing leaks', () => {
  beforeAll(() => initBackend('cpu'));

  const badLast: [string, () => RawTensor | tf.Tensor, RegExp][] = [
    ['a wrong shape (tensor)', () => tf.fill([3], 9), /LayerNorm\.bias expected \[2\], got \[3\]/],
    ['a wrong shape (raw)', () => f32raw([2, 2], 9), /LayerNorm\.bias expected \[2\], got \[2,2\]/],
    ['an I64 value beyond int32', () => ({ dtype: 'I64', shape: [2], bytes: new Uint8Array(BigInt64Array.of(1n, 2n ** 40n).buffer) }), /LayerNorm\.bias: I64 value 1099511627776/],
    ['bytes that do not match the shape', () => ({ dtype: 'F32', shape: [2], bytes: new Uint8Array(4) }), /LayerNorm\.bias: 4 bytes of F32 data, but shape \[2\] needs 8/],
    [
      'a disposed tensor',
      () => {
        const t = tf.fill([2], 9);
        t.dispose();
        return t;
      },
      /LayerNorm\.bias: the tensor given for it is disposed/,
    ],
  ];
  for (const [what, make, re] of badLast) {
    it(`last entry has ${what}`, async () => {
      const n = new Net();
      const before = await snapshot(n);
      const good = [tf.fill([2, 3], 5), tf.fill([2], 5), tf.fill([2], 5)];
      const last = make();
      const dict = new Map<string, tf.Tensor | RawTensor>([
        ['dense.weight', good[0]!],
        ['dense.bias', f32raw([2], 5)], // raw: converted, then must be freed
        ['LayerNorm.weight', good[2]!],
        ['LayerNorm.bias', last],
      ]);
      const tensorsBefore = tf.memory().numTensors;
      let err: unknown;
      try {
        loadStateDict(n, dict);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(re);
      if (!what.includes('I64')) expect(err).toBeInstanceOf(StateDictError);
      expect(tf.memory().numTensors).toBe(tensorsBefore); // converted raw tensors were freed
      expect(await snapshot(n)).toEqual(before); // nothing was assigned
      good.forEach((t) => t.dispose());
      if (!(last as tf.Tensor).isDisposed && last instanceof tf.Tensor) last.dispose();
      n.dispose();
    });
  }

  it('a good dict is loaded whole and frees its converted tensors', async () => {
    const n = new Net();
    const tensorsBefore = tf.memory().numTensors;
    const r = loadStateDict(
      n,
      new Map([
        ['dense.weight', f32raw([2, 3], 1)],
        ['dense.bias', f32raw([2], 2)],
        ['LayerNorm.weight', f32raw([2], 3)],
        ['LayerNorm.bias', f32raw([2], 4)],
      ]),
    );
    expect(r.loaded).toBe(4);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(await snapshot(n)).toEqual([
      [1, 1, 1, 1, 1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    n.dispose();
  });
});
