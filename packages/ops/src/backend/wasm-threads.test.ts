import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadBackend, BackendError } from './load-backend';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs a fresh Node process (each starts its own wasm backend) and returns its JSON line. */
function runChild(threads: number): Record<string, unknown> {
  const script = `
    import * as tf from '@tensorflow/tfjs-core';
    import os from 'node:os';
    import { loadBackend } from './load-backend.ts';
    const info = await loadBackend('wasm', { wasmThreads: ${threads} });
    // a product large enough for XNNPACK to split across the pool, against a float64 reference
    const [m, k, n] = [97, 300, 211];
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7));
    const got = tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync();
    let err = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0; for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
      err = Math.max(err, Math.abs(s - got[i * n + j]));
    }
    console.log(JSON.stringify({ threads: info.threads, notes: info.notes, err, workerGlobal: typeof globalThis.Worker, cpus: os.cpus().length }));
  `;
  // no process.exit: the child must end by itself once its work is done (pool workers unreferenced)
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: here, encoding: 'utf8', timeout: 60_000 });
  expect(r.error, `child failed to run: ${r.error?.message}`).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  expect(line, r.stdout + r.stderr).toBeDefined();
  return JSON.parse(line!) as Record<string, unknown>;
}

describe('wasm threads in Node', () => {
  it('starts the threaded build with the requested pool, computes correctly, restores the globals it patched and lets the process exit', () => {
    const realCpus = runChild(1).cpus as number;
    const r = runChild(2);
    expect(r.threads).toBe(2);
    expect(r.notes).toEqual([]);
    expect(r.err as number).toBeLessThan(1e-3);
    expect(r.workerGlobal).toBe('undefined'); // Node 20 has no global Worker; the stand-in is gone
    expect(r.cpus).toBe(realCpus);
  });

  it('wasmThreads: 1 is the single-threaded build', () => {
    const r = runChild(1);
    expect(r.threads).toBe(1);
    expect(r.err as number).toBeLessThan(1e-3);
  });

  it('rejects a thread count outside 1–8', async () => {
    for (const bad of [0, 9, 1.5]) {
      await expect(loadBackend('wasm', { wasmThreads: bad })).rejects.toThrow(BackendError);
      await expect(loadBackend('wasm', { wasmThreads: bad })).rejects.toThrow(/wasmThreads expected an integer 1–8/);
    }
  });
});
