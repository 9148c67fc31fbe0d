import { requireDescription, type Module, type ModelDescription } from '@tfjs-peft/core';
import type { TargetSpec } from './config';

/**
 * A method's default targets for a model: what the model's own description says (each architecture
 * writes PEFT's `TRANSFORMERS_MODELS_TO_*_TARGET_MODULES_MAPPING` entry for itself in its folder of
 * `@tfjs-peft/models`). A model without a description needs explicit `targetModules`.
 */
export function describedTargets(model: Module, method: string, pick: (t: ModelDescription['targets']) => TargetSpec): TargetSpec {
  const d = requireDescription(model, `${method} default targets`, 'give targetModules explicitly, or use a model class that describes itself');
  return pick(d.targets);
}
