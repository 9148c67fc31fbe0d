import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { adamwUpdate } from '../../index';
import { setFusedKernels } from '../../kernels';
import { randomArray, testBackends, useBackend } from '../../testing';
import { simdKernels } from './simd-module';

describe('SIMD kernels module', () => {
  it('the committed build is what wasm/kernels.ts compiles to (run `pnpm --filter @tfjs-peft/ops build:wasm` after editing it)', async () => {
    // @ts-expect-error: a plain .mjs script
    const { compile } = (await import('../../../scripts/build-wasm.mjs')) as { compile(): Promise<string> };
    const committed = await readFile(fileURLToPath(new URL('./kernels.generated.ts', import.meta.url)), 'utf8');
    expect(await compile()).toBe(committed);
  }, 60_000);
});

describe.runIf(testBackends().includes('wasm'))('SIMD kernels on the wasm heap', () => {
  beforeAll(() => useBackend('wasm'));

  it("are instantiated on the backend's own memory", () => {
    expect(simdKernels(tf.backend())).not.toBeNull();
  });

  it('adamwUpdate: the SIMD pass agrees with the composite ops (odd sizes: SIMD lanes and scalar tail)', async () => {
    for (const n of [1, 7, 1030]) {
      const [p, g, m, v] = [91, 92, 93, 94].map((s, i) => tf.tensor1d(Array.from(randomArray(n, s)).map((x) => (i === 3 ? Math.abs(x) : x))));
      const h = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, c1: 1 - 0.9 ** 3, c2: 1 - 0.999 ** 3 };
      const before = tf.memory().numTensors;
      const fused = adamwUpdate(p!, g!, m!, v!, h);
      setFusedKernels(false);
      const composite = adamwUpdate(p!, g!, m!, v!, h);
      setFusedKernels(true);
      for (let k = 0; k < 3; k++) {
        const [a, b] = [await fused[k]!.data(), await composite[k]!.data()];
        for (let i = 0; i < n; i++) expect(Math.abs(a[i]! - b[i]!), `output ${k}, element ${i} of ${n}`).toBeLessThan(1e-6 + 1e-5 * Math.abs(b[i]!));
      }
      tf.dispose([...fused, ...composite]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([p!, g!, m!, v!]);
    }
    expect(() => adamwUpdate(tf.zeros([2]), tf.zeros([3]), tf.zeros([2]), tf.zeros([2]), { lr: 1, beta1: 0.9, beta2: 0.9, eps: 1, weightDecay: 0, c1: 1, c2: 1 })).toThrow(
      'adamwUpdate: g expected [2], got [3]',
    );
  });
});
