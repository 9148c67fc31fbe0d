import * as tf from '@tensorflow/tfjs-core';
import { registerBackendKernels } from '../kernels/register-backend-kernels';
import { installNodeWebGPU } from './node-webgpu';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Error raised when a backend cannot start; names what is installed and why it failed. */
export class BackendError extends Error {
  readonly code = 'BACKEND_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
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
export async function loadBackend(name: BackendName): Promise<{ name: BackendName; package: string; kernels: string[] }> {
  let pkg: string;
  try {
    pkg = await importBackendPackage(name);
  } catch (e) {
    if (e instanceof BackendError) throw e;
    throw new BackendError(`${name}: its package could not be imported: ${(e as Error).message.split('\n')[0]}`);
  }
  let ok = false;
  let why = '';
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    why = `: ${(e as Error).message}`;
  }
  if (!ok) throw new BackendError(`${name}: ${pkg} is installed but the backend failed to initialise${why}`);
  await tf.ready();
  const kernels = registerBackendKernels(name);
  return { name, package: pkg, kernels };
}
