import { getKernel, registerKernel, util, type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import type { WasmBackendInternals } from './wasm-backend';

/**
 * `UnsortedSegmentSum` is the gradient of every `gather`, i.e. of every embedding lookup,
 * and the wasm backend has no kernel for it. This one works on the wasm heap directly.
 * Heap views are taken after `makeOutput`: growing the heap detaches earlier views.
 */
const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const wasm = backend as unknown as WasmBackendInternals;
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rows = x.shape[0] ?? 0;
  if (n !== rows || segmentIds.shape.length !== 1) {
    throw new Error(`UnsortedSegmentSum (wasm): segmentIds expected shape [${rows}], got [${segmentIds.shape.join(',')}]`);
  }
  const inner = util.sizeFromShape(x.shape.slice(1));
  const outShape = [numSegments, ...x.shape.slice(1)];
  const out = wasm.makeOutput(outShape, x.dtype);
  const outVals = wasm.typedArrayFromHeap(out);
  const xVals = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  outVals.fill(0);
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue; // matches TF: out-of-range ids are dropped
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j]! += xVals[src + j]!;
  }
  return out;
};

export function registerWasmUnsortedSegmentSum(backendName = 'wasm'): boolean {
  if (getKernel('UnsortedSegmentSum', backendName) != null) return false;
  registerKernel({ kernelName: 'UnsortedSegmentSum', backendName, kernelFunc });
  return true;
}
