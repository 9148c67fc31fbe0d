import * as tf from '@tensorflow/tfjs-core';
import { registerBackendKernels, registerSimdKernels } from '../kernels/register-backend-kernels';
import { installNodeWebGPU } from './node-webgpu';
import { defaultWasmThreads, prepareNodeWasmThreads, unrefWasmPthreads } from './wasm-threads';
import { setNativeGemm, type NativeGemm } from '../kernels/native-mat-mul';
import { bf16MatMul, setFrozenMatMulPrecision, type FrozenMatMulPrecision } from '../kernels/bf16-mat-mul';
import { BackendError } from '../errors';

export { BackendError };

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface LoadBackendOptions {
  /**
   * wasm in Node: XNNPACK pool threads. Default: the cores this process may use (as PyTorch),
   * at most 8; `1` is tfjs's single-threaded build. In browsers tfjs decides (the threaded build
   * loads when the page is cross-origin isolated). Env `TFJS_PEFT_WASM_THREADS` overrides the default.
   */
  wasmThreads?: number;
  /**
   * wasm and cpu in Node: run float32 matrix products on `@tfjs-peft/native` (AVX-512 / AVX2 C++ on
   * as many threads as `wasmThreads`). Default: when that package is installed and its addon built;
   * `true` makes its absence an error, `false` keeps the backend's own kernels. Env
   * `TFJS_PEFT_NATIVE=0|1` overrides the default.
   */
  native?: boolean;
  /**
   * Precision of the products with frozen weights (`setFrozenMatMulPrecision`): `'bf16'` rounds
   * their operands to bfloat16 with float32 sums where `@tfjs-peft/native` runs them (a note says
   * when it cannot apply here). Default: leaves the current setting (float32 unless changed).
   */
  frozenMatMulPrecision?: FrozenMatMulPrecision;
}

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

async function wasmThreadCount(options: LoadBackendOptions): Promise<number> {
  if (!isNode) return 1;
  const fromEnv = Number(process.env.TFJS_PEFT_WASM_THREADS ?? '');
  const n = options.wasmThreads ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : await defaultWasmThreads());
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new BackendError(`wasm: wasmThreads expected an integer 1–8, got ${String(n)}`);
  return n;
}

async function importBackendPackage(name: BackendName): Promise<string> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return '@tensorflow/tfjs-backend-cpu';
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return '@tensorflow/tfjs-backend-wasm';
    case 'webgpu': {
      const info = await installNodeWebGPU();
      if (!info.installed) throw new BackendError(`webgpu: ${info.reason ?? 'navigator.gpu is not available'}`);
      await import('@tensorflow/tfjs-backend-webgpu');
      return '@tensorflow/tfjs-backend-webgpu';
    }
    case 'tensorflow': {
      const errors: string[] = [];
      for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
        try {
          await import(/* @vite-ignore */ pkg);
          return pkg;
        } catch (e) {
          const code = (e as { code?: string }).code;
          errors.push(code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? `${pkg} is not installed` : `${pkg}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
      throw new BackendError(
        `tensorflow: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node could be loaded (${errors.join('; ')}). ` +
          'Install one of them (npm i @tensorflow/tfjs-node-gpu, needs CUDA 11.2 + cuDNN 8.1) to use it.',
      );
    }
    default:
      throw new BackendError(`unknown backend "${String(name)}"; expected one of tensorflow, webgpu, wasm, cpu`);
  }
}

/**
 * Imports a backend's package, makes it the active tfjs backend, checks that it really started
 * (`tf.setBackend` resolves to false instead of throwing), and registers tfjs-peft's kernels for it.
 */
export async function loadBackend(
  name: BackendName,
  options: LoadBackendOptions = {},
): Promise<{ name: BackendName; package: string; kernels: string[]; threads: number; notes: string[]; native: string | null }> {
  let pkg: string;
  try {
    pkg = await importBackendPackage(name);
  } catch (e) {
    if (e instanceof BackendError) throw e;
    throw new BackendError(`${name}: its package could not be imported: ${(e as Error).message.split('\n')[0]}`);
  }
  let restore: (() => void) | null = null;
  const notes: string[] = [];
  const threads = name === 'wasm' ? await wasmThreadCount(options) : 1;
  if (name === 'wasm' && threads > 1 && !backendStarted('wasm')) {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as { setThreadsCount(n: number): void };
    try {
      restore = (await prepareNodeWasmThreads(threads, tf, wasm)).restore;
    } catch (e) {
      notes.push(`wasm: single-threaded (the threaded build could not be prepared: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  let ok = false;
  let why = '';
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    why = `: ${(e as { message?: string }).message ?? String(e)}`;
  } finally {
    restore?.();
  }
  if (!ok)
    throw new BackendError(
      `${name}: ${pkg} is installed but the backend failed to initialise${why}${threads > 1 ? ` (with ${threads} threads; wasmThreads: 1 starts the single-threaded build)` : ''}`,
    );
  await tf.ready();
  if (restore != null) unrefWasmPthreads(tf.backend());
  const kernels = [...registerBackendKernels(name), ...(await registerSimdKernels(tf.backend(), name))];
  const active = name === 'wasm' ? activeWasmThreads() : 1;
  if (active < threads && notes.length === 0) notes.push(`wasm: ${active} thread(s) instead of ${threads} (the backend had been started before loadBackend)`);
  const native = await useNativeGemm(name, options, notes);
  if (native) kernels.push(`BatchMatMul(native ${native})`);
  if (options.frozenMatMulPrecision != null) setFrozenMatMulPrecision(options.frozenMatMulPrecision);
  const bf16 = bf16MatMul();
  if (bf16 != null) kernels.push(`MatMulBf16(native ${bf16})`);
  if (options.frozenMatMulPrecision === 'bf16') {
    if (bf16 == null) notes.push(`frozenMatMulPrecision bf16: not available on ${name}${native ? '' : ' without @tfjs-peft/native'}; frozen weights' products stay float32`);
    else if (bf16 === 'emulated')
      notes.push(
        'frozenMatMulPrecision bf16: this CPU has no AVX-512 BF16, so the bf16 products are emulated (float32 kernels on rounded operands): the same numbers as on a CPU that has it, but no faster than float32',
      );
  }
  return { name, package: pkg, kernels, threads: active, notes, native };
}

const NATIVE_PACKAGE = '@tfjs-peft/native';

/**
 * Sets (or clears) the native matrix product for wasm/cpu in Node; returns its description
 * ('avx512, 2 threads') or null. A missing package is silent unless `native: true`; an installed
 * package whose addon does not load leaves a note saying why.
 */
async function useNativeGemm(name: BackendName, options: LoadBackendOptions, notes: string[]): Promise<string | null> {
  const env = isNode ? process.env.TFJS_PEFT_NATIVE : undefined;
  const wanted = options.native ?? (env === '0' ? false : env === '1' ? true : undefined);
  if (wanted === false || !isNode || (name !== 'wasm' && name !== 'cpu')) {
    setNativeGemm(null);
    if (wanted === true) throw new BackendError(`${name}: native matrix products were asked for (native: true) but run only on wasm and cpu in Node`);
    return null;
  }
  try {
    const mod = (await import(/* @vite-ignore */ NATIVE_PACKAGE)) as { loadNativeGemm(): NativeGemm };
    const gemm = mod.loadNativeGemm();
    gemm.setThreads(await wasmThreadCount(options));
    setNativeGemm(gemm);
    return `${gemm.isa()}, ${gemm.threads()} thread${gemm.threads() === 1 ? '' : 's'}`;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    const why = missing ? `${NATIVE_PACKAGE} is not installed` : (e as Error).message.split('\n')[0]!;
    setNativeGemm(null);
    if (wanted === true) throw new BackendError(`${name}: native matrix products were asked for (native: true) but ${why}`);
    if (!missing) notes.push(`native: not used (${why})`);
    return null;
  }
}

/**
 * Whether a backend was already initialised or is being initialised, without starting it:
 * `tf.findBackend` would start a registered backend's initialisation itself.
 */
function backendStarted(name: string): boolean {
  const engine = tf.engine() as unknown as { registry: Record<string, unknown>; pendingBackendInit?: unknown };
  // a pending initialisation may be this backend's (started by an op before loadBackend ran)
  return engine.registry[name] != null || engine.pendingBackendInit != null;
}

/** The XNNPACK pool size of the running wasm backend (1 for the single-threaded build). */
function activeWasmThreads(): number {
  const be = tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } };
  return be.wasm?.tfjs?.getThreadsCount?.() ?? 1;
}
