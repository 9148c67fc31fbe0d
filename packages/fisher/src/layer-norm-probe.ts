import * as tf from '@tensorflow/tfjs-core';
import { Module, type AffineNorm } from '@tfjs-peft/core';
import { FisherError } from './errors';

/**
 * Stands in for a norm (LayerNorm, or RMSNorm with γ only) while the Fisher is computed: γ and β
 * are given per example ([N, H], one row per example, each a copy of the module's own), so the
 * gradient of the summed log-likelihood with respect to row r is example r's own gradient —
 * Σ_t dy·x̂ for γ and Σ_t dy for β — and a whole batch of per-example gradients comes out of one
 * backward pass.
 */
export class LayerNormProbe extends Module {
  _gamma: tf.Tensor2D | null = null;
  _beta: tf.Tensor2D | null = null;

  constructor(readonly _ln: AffineNorm) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this._gamma || (this._ln.bias && !this._beta)) return this._ln.forward(x);
    const n = x.shape[0]!;
    const h = this._ln.normalizedShape;
    if (this._gamma.shape[0] !== n)
      throw new FisherError('BAD_SIZE', `layerNormFisher: forward() ran a batch of ${n} examples but size(batch) (or labels(batch).length) said ${this._gamma.shape[0]}`);
    const shape = [n, ...x.shape.slice(1, -1).map(() => 1), h];
    const bias = this._ln.bias;
    const xhat = this._ln.forwardWith(x, tf.onesLike(this._ln.weight.value), bias ? tf.zerosLike(bias.value) : null);
    const scaled = tf.mul(xhat, tf.reshape(this._gamma, shape));
    return this._beta ? tf.add(scaled, tf.reshape(this._beta, shape)) : scaled;
  }
}
