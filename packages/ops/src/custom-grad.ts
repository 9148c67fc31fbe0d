import * as tf from '@tensorflow/tfjs-core';

export interface GradResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/**
 * `tf.customGrad` with the inputs as an array, typed: `f(inputs, save)` returns the value and
 * the gradient function, which gets the tensors passed to `save`.
 */
export function customGradOp<T extends tf.Tensor[]>(f: (inputs: T, save: tf.GradSaveFunc) => GradResult): (...xs: tf.Tensor[]) => tf.Tensor {
  const g = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as T, save);
  };
  return tf.customGrad(g as unknown as Parameters<typeof tf.customGrad>[0]) as (...xs: tf.Tensor[]) => tf.Tensor;
}
