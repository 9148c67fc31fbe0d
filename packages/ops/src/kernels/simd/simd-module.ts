import { KERNELS_WASM_PLAIN, KERNELS_WASM_SHARED } from './kernels.generated';

/** The functions of wasm/kernels.ts: pointers are byte offsets into tfjs-backend-wasm's heap. */
export interface SimdKernels {
  adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    po: number,
    mo: number,
    vo: number,
    n: number,
    b1: number,
    b2: number,
    eps: number,
    decay: number,
    step: number,
    invSqrtC2: number,
  ): void;
  geluForward(x: number, y: number, n: number): void;
  geluBackward(dy: number, x: number, dx: number, n: number): void;
  geluTanhForward(x: number, y: number, n: number): void;
  geluTanhBackward(dy: number, x: number, dx: number, n: number): void;
  layerNormForward(x: number, g: number, b: number, y: number, xhat: number, rstd: number, rows: number, d: number, eps: number): void;
  layerNormBackward(dy: number, xhat: number, rstd: number, g: number, dx: number, dg: number, db: number, rows: number, d: number): void;
  softmaxBackward(dy: number, y: number, dx: number, rows: number, d: number): void;
  crossEntropyForward(z: number, labels: number, lse: number, picked: number, mean: number, n: number, c: number): void;
  crossEntropyBackward(z: number, lse: number, labels: number, scale: number, dx: number, n: number, c: number, keep: number, spread: number): void;
  dropout(x: number, out: number, n: number, mix: number, t: number, scale: number): void;
  sumRows(x: number, out: number, rows: number, d: number): void;
  binaryBroadcast(op: number, a: number, b: number, out: number, outer: number, inner: number, aRow: number, bRow: number, aCol: number, bCol: number): void;
}

interface WasmModuleLike {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();
const failures = new WeakMap<WebAssembly.Memory, string>();

/** tfjs-backend-wasm's memory: exported by the plain build, created in JavaScript (shared) by the threaded one. */
function memoryOf(backend: unknown): WebAssembly.Memory | null {
  const w = (backend as { wasm?: WasmModuleLike }).wasm;
  const m = w?.wasmMemory ?? w?.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : null;
}

function bytes(base64: string): Uint8Array {
  if (typeof atob === 'function') return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Uint8Array((globalThis as unknown as { Buffer: { from(s: string, e: string): Uint8Array } }).Buffer.from(base64, 'base64'));
}

/**
 * Instantiates the SIMD kernels on the wasm backend's own memory (once per memory), asynchronously
 * (browsers refuse synchronous compilation on the main thread). Resolves to false, with the reason in
 * `simdKernelsUnavailable`, where WebAssembly SIMD is unsupported or the memory cannot be reached.
 */
export async function instantiateSimdKernels(backend: unknown): Promise<boolean> {
  const memory = memoryOf(backend);
  if (memory == null) return false;
  if (instances.has(memory)) return true;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  try {
    const module = await WebAssembly.compile(bytes(shared ? KERNELS_WASM_SHARED : KERNELS_WASM_PLAIN) as BufferSource);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    instances.set(memory, instance.exports as unknown as SimdKernels);
    return true;
  } catch (e) {
    failures.set(memory, (e as Error).message);
    return false;
  }
}

/**
 * The size of tfjs-backend-wasm's heap in bytes (null for another backend). The heap only grows, so
 * its growth over a run is that run's high-water mark, allocator slack included.
 */
export function wasmHeapBytes(backend: unknown): number | null {
  return memoryOf(backend)?.buffer.byteLength ?? null;
}

/** The kernels for this backend's memory, or null before `instantiateSimdKernels` succeeded. */
export function simdKernels(backend: unknown): SimdKernels | null {
  const memory = memoryOf(backend);
  return memory ? (instances.get(memory) ?? null) : null;
}

/** Why the SIMD kernels are not available on this backend (null when they are, or were never tried). */
export function simdKernelsUnavailable(backend: unknown): string | null {
  const memory = memoryOf(backend);
  return memory ? (failures.get(memory) ?? null) : 'no wasm memory';
}
