import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, activation, type ModelDescription } from '@tfjs-peft/core';
import type { LlavaConfig } from './config';

/**
 * HF `LlavaMultiModalProjector`: `linear_1` (vision hidden × the number of feature layers → text
 * hidden), `projector_hidden_act`, `linear_2` (text hidden → text hidden), both with a bias when
 * `multimodal_projector_bias`.
 */
export class LlavaMultiModalProjector extends Module {
  linear_1: Linear;
  linear_2: Linear;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: Pick<LlavaConfig, 'vision' | 'text' | 'visionFeatureLayer' | 'projectorHiddenAct' | 'multimodalProjectorBias'>) {
    super();
    const layers = Array.isArray(c.visionFeatureLayer) ? c.visionFeatureLayer.length : 1;
    const bias = c.multimodalProjectorBias;
    this.linear_1 = new Linear(c.vision.hiddenSize * layers, c.text.hiddenSize, { bias, initStd: 0.02 });
    this.linear_2 = new Linear(c.text.hiddenSize, c.text.hiddenSize, { bias, initStd: 0.02 });
    this._act = activation(c.projectorHiddenAct);
  }

  /**
   * A policy naming `multi_modal_projector` adapts its two linears (no PEFT table has an entry for
   * the projector alone; LoRA and IA3 on both linears, `linear_2` as IA3's feed-forward module). It
   * has no norm, so LN tuning's target matches nothing.
   */
  override describe(): ModelDescription {
    const linear = /(^|\.)linear_[12]\.(weight|bias)$/;
    return {
      modelType: 'llava_projector',
      targets: { lora: ['linear_1', 'linear_2'], ia3: ['linear_1', 'linear_2'], ia3FeedForward: ['linear_2'], lnTuning: '(?!)' },
      parameters: { attention: () => false, feedForward: (n) => linear.test(n), norms: () => false },
      componentOf: (n) => (linear.test(n) ? 'pooler' : 'other'),
      layerOf: () => null,
    };
  }

  forward(features: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.linear_2.forward(this._act(this.linear_1.forward(features))));
  }
}
