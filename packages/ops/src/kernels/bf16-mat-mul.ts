import * as tf from '@tensorflow/tfjs-core';
import { getKernel, registerKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { nativeCpuMatMul, nativeGemm, nativeWasmMatMul } from './native-mat-mul';
import { OpInputError } from '../errors';

export const BF16_MAT_MUL_KERNEL = 'TfjsPeftMatMulBf16';

/** Precision of the matrix products that involve a frozen weight: float32, or bfloat16 operands with float32 sums. */
export type FrozenMatMulPrecision = 'float32' | 'bf16';

let precision: FrozenMatMulPrecision = 'float32';

/**
 * Sets the precision of the products with a frozen weight — `linear`'s forward `x · Wᵀ` and its
 * backward `dx = dy · W` when `W` is a non-trainable variable (LayerNorm-only tuning, LoRA's and
 * IA3's base layers, …). `'bf16'` rounds both operands to bfloat16 (nearest even; 8 significant
 * bits) and sums in float32, like PyTorch's `torch.set_float32_matmul_precision('medium')` or
 * autocast to bf16, but only where no weight gradient is taken: trained weights, their gradients
 * and the optimizer stay float32. It takes effect where `@tfjs-peft/native` runs the products
 * (wasm and cpu in Node): twice the speed with AVX-512 BF16, the same speed elsewhere (emulated,
 * same numbers); other backends keep float32 (`bf16MatMul()` says which applies). Default
 * `'float32'`. Returns the previous setting.
 */
export function setFrozenMatMulPrecision(p: FrozenMatMulPrecision): FrozenMatMulPrecision {
  if (p !== 'float32' && p !== 'bf16') throw new OpInputError('setFrozenMatMulPrecision', 'precision', "'float32' or 'bf16'", JSON.stringify(p));
  const before = precision;
  precision = p;
  return before;
}

/** The precision set for products with a frozen weight. */
export function frozenMatMulPrecision(): FrozenMatMulPrecision {
  return precision;
}

/**
 * How bf16 products run on the active backend now: `'avx512_bf16'` (hardware dot products),
 * `'emulated'` (float32 kernels on rounded operands), or null (not available here: no native
 * product, or a backend other than wasm/cpu — products stay float32).
 */
export function bf16MatMul(): string | null {
  const impl = nativeGemm();
  if (impl?.bf16 == null || getKernel(BF16_MAT_MUL_KERNEL, tf.getBackend()) == null) return null;
  return impl.bf16();
}

/** `op(a) · op(b)` for a product with a frozen weight: in the precision set by `setFrozenMatMulPrecision` where available. */
export function frozenMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (precision === 'bf16' && a.dtype === 'float32' && b.dtype === 'float32' && bf16MatMul() != null) {
    return tf.engine().runKernel(BF16_MAT_MUL_KERNEL, { a, b }, { transposeA, transposeB }) as tf.Tensor;
  }
  return tf.matMul(a, b, transposeA, transposeB);
}

const kernelFunc =
  (backendName: string): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const run = backendName === 'wasm' ? nativeWasmMatMul : nativeCpuMatMul;
    const out = run(inputs.a as TensorInfo, inputs.b as TensorInfo, transposeA, transposeB, backend, 'bf16');
    if (out == null) {
      throw new OpInputError(
        BF16_MAT_MUL_KERNEL,
        'a, b',
        'float32 operands with matching inner dimensions and a native product set',
        `${JSON.stringify((inputs.a as TensorInfo).shape)} × ${JSON.stringify((inputs.b as TensorInfo).shape)}`,
      );
    }
    return out;
  };

/** Registers the bf16 product on wasm and cpu (idempotent); it runs only while a native product is set. */
export function registerBf16MatMul(backendName: string): boolean {
  if ((backendName !== 'wasm' && backendName !== 'cpu') || getKernel(BF16_MAT_MUL_KERNEL, backendName) != null) return false;
  registerKernel({ kernelName: BF16_MAT_MUL_KERNEL, backendName, kernelFunc: kernelFunc(backendName) });
  return true;
}
