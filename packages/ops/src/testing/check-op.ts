import * as tf from '@tensorflow/tfjs-core';
import { assertClose, dot, numericGrad, randomArray } from './grad-check';

export interface OpInput {
  shape: number[];
  data: Float64Array | Int32Array;
  dtype?: 'float32' | 'int32';
  /** differentiate with respect to this input (float inputs only); default true for floats */
  grad?: boolean;
}

export interface OpCheck {
  label: string;
  inputs: OpInput[];
  tfFn: (...xs: tf.Tensor[]) => tf.Tensor;
  refFn: (...xs: Float64Array[]) => Float64Array | number;
  tol?: { atol?: number; rtol?: number };
  gradTol?: { atol?: number; rtol?: number };
  /** finite-difference step */
  h?: number;
}

/**
 * The standard check of an op on the active backend: its value against the float64 reference,
 * its gradient for every float input against central differences of the reference (through a
 * random projection of the output), and that neither the forward nor the backward pass leaks
 * tensors. Returns the max errors.
 */
export async function checkOp(spec: OpCheck): Promise<{ valueErr: number; gradErr: number }> {
  const xs = spec.inputs.map((i) => tf.tensor(Array.from(i.data), i.shape, i.dtype ?? 'float32'));
  const refIn = spec.inputs.map((i) => Float64Array.from(i.data));
  try {
    const before = tf.memory().numTensors;
    const y = spec.tfFn(...xs);
    const yv = Float64Array.from(await y.data());
    const shape = y.shape;
    y.dispose();
    const leakedFwd = tf.memory().numTensors - before;
    if (leakedFwd !== 0) throw new Error(`${spec.label}: forward leaked ${leakedFwd} tensors`);
    const ref = spec.refFn(...refIn);
    const refArr = typeof ref === 'number' ? Float64Array.of(ref) : ref;
    const valueErr = assertClose(yv, refArr, `${spec.label} value`, spec.tol);

    const w = randomArray(refArr.length, 4242, 1);
    const wT = tf.tensor(Array.from(w), shape);
    const gradIdx = spec.inputs.map((inp, i) => ((inp.dtype ?? 'float32') === 'float32' && inp.grad !== false ? i : -1)).filter((i) => i >= 0);
    const before2 = tf.memory().numTensors;
    const grads = tf.grads((...gx: tf.Tensor[]) => {
      const all = xs.map((x, i) => {
        const k = gradIdx.indexOf(i);
        return k >= 0 ? gx[k]! : x;
      });
      return tf.sum(tf.mul(spec.tfFn(...all), wT));
    })(gradIdx.map((i) => xs[i]!));
    const gvals = await Promise.all(grads.map((g) => g.data()));
    grads.forEach((g) => g.dispose());
    const leakedBwd = tf.memory().numTensors - before2;
    wT.dispose();
    if (leakedBwd !== 0) throw new Error(`${spec.label}: backward leaked ${leakedBwd} tensors`);

    let gradErr = 0;
    gradIdx.forEach((inputIdx, k) => {
      const scalar = () => {
        const r = spec.refFn(...refIn);
        return typeof r === 'number' ? r * w[0]! : dot(r, w);
      };
      const num = numericGrad(scalar, refIn[inputIdx]!, spec.h ?? 1e-5);
      gradErr = Math.max(gradErr, assertClose(gvals[k]!, num, `${spec.label} d/d(input ${inputIdx})`, spec.gradTol ?? { atol: 2e-4, rtol: 2e-3 }));
    });
    return { valueErr, gradErr };
  } finally {
    xs.forEach((x) => x.dispose());
  }
}
