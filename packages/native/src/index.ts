import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled addon's interface: a batched float32 matrix product over Float32Array views,
 * `c[cOffsets[i]…] = op(a[aOffsets[i]…]) · op(b[bOffsets[i]…])` for each batch entry i, row-major;
 * `op(A)` is m×k (stored k×m when `transA`), `op(B)` k×n (stored n×k when `transB`); offsets count
 * elements. It checks every batch entry against its array's length before touching memory.
 */
export interface NativeGemmBinding {
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    aOffsets: Uint32Array,
    bOffsets: Uint32Array,
    cOffsets: Uint32Array,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    /**
     * 'bf16': both operands rounded to bfloat16 (nearest even), exact products, float32 sums — on
     * AVX-512 BF16 dot products where the CPU has them (with the 'avx512' family), else the float32
     * kernels on rounded copies. Default 'float32'.
     */
    precision?: 'float32' | 'bf16',
  ): void;
  /** how bf16 products run now: 'avx512_bf16' or 'emulated' */
  bf16(): string;
  /** GELU, exact erf form (erf and exp by the wasm SIMD module's approximations, |error| < 1e-6): `y[yOffset + i] = gelu(x[xOffset + i])` */
  geluForward(x: Float32Array, xOffset: number, y: Float32Array, yOffset: number, n: number): void;
  /** its gradient: `dx = dy·(Φ(x) + x·φ(x))` */
  geluBackward(dy: Float32Array, dyOffset: number, x: Float32Array, xOffset: number, dx: Float32Array, dxOffset: number, n: number): void;
  /**
   * One AdamW step (torch.optim.AdamW) over flat float32 arrays, threaded: `buffers` and `offsets`
   * hold p, g, m, v, pOut, mOut, vOut (element offsets; one heap may hold them all, the outputs must
   * not overlap anything). `m' = β₁m + (1−β₁)g`, `v' = β₂v + (1−β₂)g²`,
   * `p' = p·decay − step·m'/(√v'·invSqrtC2 + eps)` with decay = 1 − lr·wd, step = lr/(1−β₁ᵗ),
   * invSqrtC2 = 1/√(1−β₂ᵗ): the wasm SIMD module's roundings (no fused multiply-adds).
   */
  adamw(buffers: Float32Array[], offsets: number[], n: number, beta1: number, beta2: number, eps: number, decay: number, step: number, invSqrtC2: number): void;
  /** the micro-kernel family chosen for this CPU (the element-wise kernels follow it): 'avx512', 'avx2' or 'generic' */
  isa(): string;
  /** forces a lower family ('avx2', 'generic') or the best one ('best'); returns the one now used */
  setIsa(name: 'avx512' | 'avx2' | 'generic' | 'best'): string;
  /** threads of the product's pool, the calling thread included */
  threads(): number;
  setThreads(n: number): void;
}

/** The addon is not built or cannot load on this machine; the message says why. */
export class NativeUnavailableError extends Error {
  readonly code = 'NATIVE_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'NativeUnavailableError';
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** Where the compiled addon is expected (`node-gyp`'s output inside this package). */
export function addonPath(): string {
  return join(here, '..', 'build', 'Release', 'tfjs_peft_native.node');
}

let cached: NativeGemmBinding | null = null;
let failure: string | null = null;

/**
 * Loads the compiled addon (once). Throws `NativeUnavailableError` naming the reason when it was
 * not built (no C++ toolchain at install time) or does not load on this platform.
 */
export function loadNativeGemm(): NativeGemmBinding {
  if (cached) return cached;
  if (failure == null) {
    const path = addonPath();
    if (!existsSync(path)) {
      failure = `the native addon was not built (${path} is missing): building it needs python3, make and a C++17 compiler when the package is installed; run \`npm rebuild @tfjs-peft/native\` after installing them`;
    } else {
      try {
        cached = createRequire(import.meta.url)(path) as NativeGemmBinding;
        return cached;
      } catch (e) {
        failure = `the native addon at ${path} failed to load: ${(e as Error).message.split('\n')[0]}`;
      }
    }
  }
  throw new NativeUnavailableError(failure);
}

/** Why `loadNativeGemm` would fail, or null when the addon loads. */
export function nativeUnavailable(): string | null {
  try {
    loadNativeGemm();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
