import { requireDescription, type Module } from '@tfjs-peft/core';
import type { TargetSpec } from './config';

/**
 * The default targets of a method for a model: what the model's own description says (each
 * architecture writes PEFT's `TRANSFORMERS_MODELS_TO_*_TARGET_MODULES_MAPPING` entry for itself in
 * its folder of `@tfjs-peft/models`). A model without a description needs explicit `targetModules`.
 */
export function defaultTargets(method: 'lora' | 'ia3' | 'ln-tuning', model: Module): { targets: TargetSpec; feedforward?: TargetSpec } {
  const d = requireDescription(model, `${method} default targets`, 'give targetModules explicitly, or use a model class that describes itself');
  switch (method) {
    case 'lora':
      return { targets: d.targets.lora };
    case 'ia3':
      return { targets: d.targets.ia3, feedforward: d.targets.ia3FeedForward };
    case 'ln-tuning':
      return { targets: d.targets.lnTuning };
  }
}
