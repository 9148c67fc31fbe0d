import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import { crossEntropy, layerNorm, softmax } from '../../index';
import { setFusedKernels } from '../../kernels';
import { randomArray, read, ref, testBackends, useBackend } from '../../testing';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '../fused-layer-norm';
import { GELU_GRAD_KERNEL, GELU_KERNEL } from '../fused-gelu';
import { SOFTMAX_GRAD_KERNEL, SOFTMAX_KERNEL } from '../fused-softmax';
import { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from '../fused-cross-entropy';
import { ADAMW_KERNEL } from '../fused-adamw';
import { DROPOUT_GRAD_KERNEL, DROPOUT_KERNEL } from '../fused-dropout';

// the per-op tests (layer-norm, activations, softmax, cross-entropy, adamw-update, dropout) check these kernels against the
// composite ops and float64 on every backend; these are the cases particular to the WGSL programs
describe.runIf(testBackends().includes('webgpu'))('WGSL kernels on webgpu', () => {
  beforeAll(() => useBackend('webgpu'));

  it("are registered under the fused kernels' names; the softmax forward stays tfjs's own", () => {
    for (const name of [
      LAYER_NORM_KERNEL,
      LAYER_NORM_GRAD_KERNEL,
      GELU_KERNEL,
      GELU_GRAD_KERNEL,
      SOFTMAX_GRAD_KERNEL,
      CROSS_ENTROPY_KERNEL,
      CROSS_ENTROPY_GRAD_KERNEL,
      ADAMW_KERNEL,
      DROPOUT_KERNEL,
      DROPOUT_GRAD_KERNEL,
    ])
      expect(getKernel(name, 'webgpu'), name).toBeDefined();
    expect(getKernel(SOFTMAX_KERNEL, 'webgpu')).toBeUndefined();
  });

  it('a row kernel over more rows than a dispatch dimension holds (65535 workgroups: tfjs folds it into 2-D) matches float64', async () => {
    const [rows, d] = [70001, 3];
    const xv = randomArray(rows * d, 61, 2);
    const gv = randomArray(d, 62).map((v) => 1 + v);
    const bv = randomArray(d, 63);
    const x = tf.tensor(Array.from(xv), [rows, d]);
    const g = tf.tensor(Array.from(gv), [d]);
    const b = tf.tensor(Array.from(bv), [d]);
    // forward and backward in one pass (SwiftShader runs ~1 s per program at this size)
    let y: tf.Tensor | undefined;
    let result: { value: tf.Tensor; grads: tf.Tensor[] } | undefined;
    const profile = await tf.profile(() => {
      result = tf.valueAndGrads((bb: tf.Tensor) => {
        y = tf.keep(layerNorm(x, g, bb, 1e-5));
        return tf.sum(y);
      })([b]);
    });
    expect(profile.kernelNames).toEqual(expect.arrayContaining([LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL]));
    const { value, grads } = result!;
    const got = await read(y!);
    const want = ref.layerNorm(xv, gv, bv, d, 1e-5);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThan(1e-4);
    // the last rows (in the folded part of the dispatch) were written, not left at zero
    expect(Array.from(got.slice(-d)).every((v, j) => Math.abs(v - want[want.length - d + j]!) < 1e-4)).toBe(true);
    // dβ is a sum over all rows (one workgroup per column): Σ dy with dy = 1 is the row count
    expect(Array.from(await grads[0]!.data())).toEqual([rows, rows, rows]);
    tf.dispose([x, g, b, y!, value, ...grads]);
  });

  it('rows as long as a vocabulary (256-thread workgroups) agree with the composite: softmax gradient and cross-entropy', async () => {
    const [rows, c] = [6, 5003];
    const z = tf.tensor(Array.from(randomArray(rows * c, 64, 5)), [rows, c]);
    const dy = tf.tensor(Array.from(randomArray(rows * c, 65)), [rows, c]);
    const labels = tf.tensor1d([0, 5002, 17, -100, 2500, 4999], 'int32');
    const run = async () => {
      const before = tf.memory().numTensors;
      const gs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(softmax(t), dy)))(z);
      const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => crossEntropy(t, labels, { labelSmoothing: 0.1 }))([z]);
      const out = [await read(gs), await read(value), await read(grads[0]!)];
      tf.dispose([gs, value, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
      return out;
    };
    const fused = await run();
    setFusedKernels(false);
    const composite = await run();
    setFusedKernels(true);
    fused.forEach((vals, k) => {
      let worst = 0;
      vals.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - composite[k]![i]!) / (1e-6 + Math.abs(composite[k]![i]!)))));
      expect(worst, `output ${k}`).toBeLessThan(1e-3);
    });
    tf.dispose([z, dy, labels]);
  });

  it('a label outside the classes makes the loss NaN (checking it would read the labels back from the GPU)', async () => {
    const z = tf.zeros([3, 4]);
    const y = tf.tensor1d([0, 4, -100], 'int32');
    const loss = crossEntropy(z, y);
    expect(Number.isNaN((await loss.data())[0])).toBe(true);
    tf.dispose([z, y, loss]);
  });
});
