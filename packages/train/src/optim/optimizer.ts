import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '@tfjs-peft/core';

/** A named parameter the optimizer updates, with its weight decay. */
export interface ParamEntry {
  name: string;
  param: Parameter;
  weightDecay: number;
}

/** Optimizer state as plain tensors by key, for checkpoints (`<param name>.<slot>`). */
export interface OptimizerState {
  step: number;
  slots: Map<string, tf.Tensor>;
}

export interface Optimizer {
  readonly params: ParamEntry[];
  /** the kinds of per-parameter state it keeps; checkpoint slots are `<param name>.<kind>` */
  readonly slotNames: readonly string[];
  /** Applies one update with learning rate `lr`; `grads` by variable name. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void;
  state(): OptimizerState;
  loadState(s: OptimizerState): void;
  /** bytes of optimizer state (moments) */
  stateBytes(): number;
  dispose(): void;
}

/** PyTorch/HF practice: no weight decay on biases and LayerNorm weights. */
export function decayFor(name: string, weightDecay: number): number {
  return /(^|\.)bias$|LayerNorm|layernorm|layer_norm|ln_tuning_layers/.test(name) ? 0 : weightDecay;
}
