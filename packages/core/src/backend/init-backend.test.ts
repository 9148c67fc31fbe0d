import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, BackendError, AUTO_ORDER } from '../index';

let hasNodeTf = false;
try {
  await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/'));
  hasNodeTf = true;
} catch {
  hasNodeTf = false;
}

describe('initBackend', () => {
  it('starts cpu and wasm by name, registers wasm kernels, and gradients work', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu' });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend('wasm');
    expect(wasm.kernels).toEqual(expect.arrayContaining(['UnsortedSegmentSum']));
    expect(tf.getBackend()).toBe('wasm');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2]));
    expect(Array.from(await g.data())).toEqual([2, 4]);
  });

  it("'auto' tries tensorflow > webgpu > wasm > cpu and says why it skipped each", async () => {
    expect(AUTO_ORDER).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    const info = await initBackend('auto');
    if (hasNodeTf) {
      expect(info.name).toBe('tensorflow');
    } else {
      expect(info.skipped[0]).toMatch(/^tensorflow: neither @tensorflow\/tfjs-node-gpu nor @tensorflow\/tfjs-node could be loaded/);
      expect(info.skipped[1]).toMatch(/^webgpu: /);
      // without a hardware GPU, the software WebGPU adapter is not taken
      expect(info.name).toBe('wasm');
    }
  });

  it('a named backend that cannot start is an error, never a fallback; unknown names are listed', async () => {
    await initBackend('cpu');
    if (!hasNodeTf) {
      await expect(initBackend('tensorflow')).rejects.toThrow(BackendError);
      await expect(initBackend('tensorflow')).rejects.toThrow(/Install one of them \(npm i @tensorflow\/tfjs-node-gpu/);
      expect(tf.getBackend()).toBe('cpu');
    }
    await expect(initBackend('cuda' as never)).rejects.toThrow(/unknown backend "cuda"; expected one of auto, tensorflow, webgpu, wasm, cpu/);
  });

  it.runIf(hasNodeTf)('tensorflow (tfjs-node) backend trains when installed', async () => {
    const info = await initBackend('tensorflow');
    expect(info.name).toBe('tensorflow');
  });
  it.skipIf(hasNodeTf)('tensorflow backend: skipped, @tensorflow/tfjs-node(-gpu) is not installed here (its install downloads libtensorflow)', () => undefined);
});
