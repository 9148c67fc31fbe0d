import * as tf from '@tensorflow/tfjs-core';
import { Module, Parameter, ShapeError, nextSeed } from '@tfjs-peft/core';

/**
 * A `Conv2d(C, H, kernel=P, stride=P)` patch embedding with the PyTorch weight layout
 * `[H, C, P, P]`, computed as reshape → transpose → matMul: the wasm backend has no
 * `Conv2DBackpropFilter`, and a patch conv is exactly a matmul over non-overlapping patches.
 * Only rank-4 reshapes/transposes (see ENVIRONMENT: rank-5 slices break gradients on webgpu).
 */
export class PatchEmbedding extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(
    readonly numChannels: number,
    readonly hiddenSize: number,
    readonly patchSize: number,
  ) {
    super();
    const fanIn = numChannels * patchSize * patchSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = new Parameter(tf.randomUniform([hiddenSize, numChannels, patchSize, patchSize], -bound, bound, 'float32', nextSeed()), { name: 'weight' });
    this.bias = new Parameter(tf.randomUniform([hiddenSize], -bound, bound, 'float32', nextSeed()), { name: 'bias' });
  }

  /** `[B, C, H, W]` → `[B, (H/P)·(W/P), hidden]` (row-major patch order, as `flatten(2)` in PyTorch). */
  forward(pixelValues: tf.Tensor): tf.Tensor {
    const [b, c, hh, ww] = pixelValues.shape as [number, number, number, number];
    const p = this.patchSize;
    if (pixelValues.rank !== 4 || c !== this.numChannels || hh % p !== 0 || ww % p !== 0) {
      throw new ShapeError('pixel_values', `[B,${this.numChannels},H,W] with H and W multiples of ${p}`, pixelValues.shape);
    }
    const [h, w] = [hh / p, ww / p];
    return tf.tidy(() => {
      let x = tf.reshape(pixelValues, [b * c * h, p, w, p]);
      x = tf.transpose(x, [0, 2, 1, 3]); // [b·c·h, w, p, p]
      x = tf.reshape(x, [b, c, h * w, p * p]);
      x = tf.transpose(x, [0, 2, 1, 3]); // [b, h·w, c, p·p]
      x = tf.reshape(x, [b * h * w, c * p * p]);
      const wMat = tf.reshape(this.weight.value, [this.hiddenSize, c * p * p]);
      const y = tf.add(tf.matMul(x, wMat, false, true), this.bias.value);
      return tf.reshape(y, [b, h * w, this.hiddenSize]);
    });
  }
}
