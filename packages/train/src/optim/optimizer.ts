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

/**
 * HF Trainer's practice (`get_decay_parameter_names`): no weight decay on biases and norm weights
 * (LayerNorm, RMSNorm, a module named `norm` or `*_norm`, BLIP's `layer_norm1`, LN-tuning copies);
 * names compared in lower case, as transformers does.
 */
export function decayFor(name: string, weightDecay: number): number {
  return /bias|layernorm|rmsnorm|layer_norm|(^|\.)norm($|\.)|_norm($|\.)|ln_tuning_layers/.test(name.toLowerCase()) ? 0 : weightDecay;
}
