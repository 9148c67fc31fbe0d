import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { loadBackend, type BackendName } from '../backend/load-backend';

/** Where Debian's chromium keeps its SwiftShader Vulkan driver (WebGPU without a GPU). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * The backends tests run on. `TFJS_PEFT_TEST_BACKENDS=cpu,wasm,webgpu` sets them (CI does, so a
 * webgpu that fails to start fails the run); otherwise cpu and wasm, plus webgpu when a
 * Vulkan driver is configured through VK_ICD_FILENAMES.
 */
export function testBackends(): BackendName[] {
  const env = process.env.TFJS_PEFT_TEST_BACKENDS;
  if (env)
    return env
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean) as BackendName[];
  const list: BackendName[] = ['cpu', 'wasm'];
  const icd = process.env.VK_ICD_FILENAMES;
  if (icd && existsSync(icd)) list.push('webgpu');
  return list;
}

/** Makes `name` the active backend for the following tests. */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  await loadBackend(name);
}

/** Reads a tensor on any backend (webgpu in Node has no dataSync). */
export async function read(t: tf.Tensor): Promise<Float64Array> {
  return Float64Array.from(await t.data());
}

/** Tolerances per backend: webgpu on SwiftShader uses fast-math transcendental functions. */
export function tolerance(backend: string, base: { atol: number; rtol: number }): { atol: number; rtol: number } {
  return backend === 'webgpu' ? { atol: base.atol * 10, rtol: base.rtol * 10 } : base;
}
