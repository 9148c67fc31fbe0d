import { getKernel, registerKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendInternals } from './wasm-backend';

/**
 * Fused element-wise kernels written in JavaScript over the backend's own memory, for the two
 * backends whose tensors live in typed arrays the main thread can read: wasm (views of the heap)
 * and cpu (plain arrays). One pass instead of the 5–12 kernels (and temporaries) of the composite
 * op; webgpu has WGSL versions of some (kernels/webgpu), tensorflow keeps the composite, which stays
 * the reference in tests.
 * Scalar JavaScript runs ~1 ns per simple operation and 10–30 ns per transcendental, so on wasm it
 * wins only where the composite is itself slow (dropout's JavaScript random numbers); against
 * XNNPACK's SIMD kernels (GELU, AdamW) it loses, and those stay composite there.
 */
export const JS_KERNEL_BACKENDS = ['wasm', 'cpu'] as const;

/** The parts of tfjs-backend-cpu's backend the JavaScript kernels use. */
export interface CpuLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values?: unknown): TensorInfo;
  readSync(dataId: object): unknown;
}

/**
 * Runs `body(out, ...inputs)` over float32 arrays: on wasm the output is allocated first and every
 * view taken after it (allocation may grow the heap and detach older views); on cpu the output is a
 * new Float32Array handed to the backend afterwards.
 */
export function elementwise(backend: unknown, backendName: string, shape: number[], inputs: TensorInfo[], body: (out: Float32Array, ...ins: Float32Array[]) => void): TensorInfo {
  return elementwiseOutputs(backend, backendName, shape, 1, inputs, (outs, ...ins) => body(outs[0]!, ...ins))[0]!;
}

/** As `elementwise`, with `count` outputs of the same shape (e.g. an optimizer's parameter and moments). */
export function elementwiseOutputs(
  backend: unknown,
  backendName: string,
  shape: number[],
  count: number,
  inputs: TensorInfo[],
  body: (outs: Float32Array[], ...ins: Float32Array[]) => void,
): TensorInfo[] {
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`fused kernel: expected float32 inputs, got ${t.dtype}`);
  if (backendName === 'wasm') {
    const be = backend as WasmBackendInternals;
    const outs = Array.from({ length: count }, () => be.makeOutput(shape, 'float32'));
    body(
      outs.map((o) => be.typedArrayFromHeap(o) as Float32Array),
      ...inputs.map((t) => be.typedArrayFromHeap(t) as Float32Array),
    );
    return outs;
  }
  const be = backend as CpuLike;
  const size = shape.reduce((a, b) => a * b, 1);
  const outs = Array.from({ length: count }, () => new Float32Array(size));
  body(outs, ...inputs.map((t) => be.readSync(t.dataId) as Float32Array));
  return outs.map((o) => be.makeTensorInfo(shape, 'float32', o));
}

/** Registers `kernelName` on wasm and cpu (idempotent); returns the backends it was added to now. */
export function registerJsKernel(kernelName: string, make: (backendName: string) => KernelFunc, backends: readonly string[] = JS_KERNEL_BACKENDS): string[] {
  const added: string[] = [];
  for (const backendName of backends) {
    if (getKernel(kernelName, backendName) != null) continue;
    registerKernel({ kernelName, backendName, kernelFunc: make(backendName) });
    added.push(backendName);
  }
  return added;
}
