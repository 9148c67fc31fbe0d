import { z } from 'zod';
import type { Common, TargetSpec } from '../config';
import { arrayLike, commonOptions, ex, opt, targetSpec } from '../schema/primitives';

export interface LnTuningConfig extends Common {
  method: 'ln-tuning';
  /** default: the model's own norms (`describe().targets.lnTuning`) */
  targetModules?: TargetSpec;
  excludeModules?: TargetSpec;
  /**
   * Train only some elements: per LayerNorm module path, 0/1 masks for `weight` and `bias`
   * (what `@tfjs-peft/fisher` selects). Modules without a mask are trained in full.
   */
  masks?: Record<string, { weight?: ArrayLike<number>; bias?: ArrayLike<number> }>;
}

export const lnTuningOptions = z.strictObject({
  method: z.literal('ln-tuning'),
  ...commonOptions,
  targetModules: opt(targetSpec),
  excludeModules: opt(targetSpec),
  masks: opt(ex(z.record(z.string(), z.strictObject({ weight: arrayLike.optional(), bias: arrayLike.optional() })), 'an object of LayerNorm path → { weight?, bias? } 0/1 masks')),
});
