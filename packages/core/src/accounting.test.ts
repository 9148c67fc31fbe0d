import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, countParameters, measurePeakBytes, formatBytes, Module, Linear, LayerNorm } from './index';

describe('accounting', () => {
  beforeAll(() => initBackend('cpu'));

  it('counts trainable and frozen parameters and bytes', () => {
    class M extends Module {
      a = new Linear(10, 10);
      ln = new LayerNorm(10);
    }
    const m = new M();
    m.freeze((n) => n.startsWith('a.'));
    expect(countParameters(m)).toEqual({ trainable: 20, frozen: 110, total: 130, trainableBytes: 80, frozenBytes: 440, trainablePercent: (100 * 20) / 130 });
    m.dispose();
  });

  it('counts a buffer shared by several tensors once (reshapes, clones)', async () => {
    const r = await measurePeakBytes(() =>
      tf.tidy(() => {
        const big = tf.zeros([1000]);
        const views = [tf.reshape(big, [10, 100]), tf.reshape(big, [100, 10]), tf.clone(big)];
        return tf.sum(views[2]!);
      }),
    );
    expect(r.peakBytes - r.startBytes).toBeGreaterThanOrEqual(4000);
    expect(r.peakBytes - r.startBytes).toBeLessThan(2 * 4000);
    r.result.dispose();
  });

  it('measures the peak tensor memory of a function', async () => {
    const r = await measurePeakBytes(() =>
      tf.tidy(() => {
        const big = tf.zeros([1000]); // 4000 bytes, freed at the end of tidy
        const small = tf.ones([10]);
        return tf.add(small, tf.sum(big));
      }),
    );
    expect(r.peakBytes - r.startBytes).toBeGreaterThanOrEqual(4000 + 40);
    expect(r.newBytes).toBe(40);
    expect(r.newTensors).toBe(1);
    r.result.dispose();
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
});
