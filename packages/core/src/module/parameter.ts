import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors';

let counter = 0;

/**
 * A trainable tensor: wraps a `tf.Variable`. Its variable name carries a process-unique prefix
 * (`tfjs-peft/<n>/<hint>`), so any number of model copies live in one process; the Hugging
 * Face name of a parameter is its path in the module tree, not the variable name.
 */
export class Parameter {
  readonly variable: tf.Variable;

  /** Takes ownership of `initial`: the variable keeps its data and the tensor itself is disposed. */
  constructor(initial: tf.Tensor, options: { requiresGrad?: boolean; name?: string } = {}) {
    const requiresGrad = options.requiresGrad ?? true;
    this.variable = tf.variable(initial, requiresGrad, `tfjs-peft/${++counter}/${options.name ?? 'param'}`);
    // tf.variable shares the tensor's data and counts it twice; without this every parameter leaked its initial value
    if (!initial.isDisposed && !(initial instanceof tf.Variable)) initial.dispose();
  }

  /** Whether optimizers update it and gradients are computed for it. */
  get requiresGrad(): boolean {
    return this.variable.trainable;
  }
  set requiresGrad(value: boolean) {
    this.variable.trainable = value;
  }

  get value(): tf.Variable {
    return this.variable;
  }
  get shape(): number[] {
    return this.variable.shape;
  }
  get dtype(): tf.DataType {
    return this.variable.dtype;
  }
  get size(): number {
    return this.variable.size;
  }

  /** Replaces the value; `name` is used in the error when the shape differs. */
  assign(value: tf.Tensor, name = this.variable.name): void {
    if (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(name, this.shape, value.shape);
    }
    if (value.dtype !== this.dtype) {
      tf.tidy(() => this.variable.assign(tf.cast(value, this.dtype)));
    } else {
      this.variable.assign(value);
    }
  }

  dispose(): void {
    if (!this.variable.isDisposed) this.variable.dispose();
  }
}
