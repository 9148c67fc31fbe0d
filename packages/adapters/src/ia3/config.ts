import { z } from 'zod';
import type { Common, TargetSpec } from '../config';
import { commonOptions, opt, targetSpec } from '../schema/primitives';
import { bool, nullable, only } from '../schema/file-fields';

export interface IA3Config extends Common {
  method: 'ia3';
  /** default: the model's own (`describe().targets.ia3`) */
  targetModules?: TargetSpec;
  /** must be a subset of the targets; their vector scales the input (plain `endsWith` match, as PEFT) */
  feedforwardModules?: TargetSpec;
  excludeModules?: TargetSpec;
}

export const ia3Options = z.strictObject({
  method: z.literal('ia3'),
  ...commonOptions,
  targetModules: opt(targetSpec),
  feedforwardModules: opt(targetSpec),
  excludeModules: opt(targetSpec),
});

/** PEFT 0.21's IA3Config fields besides the common ones. */
export const IA3_FILE_FIELDS = {
  feedforward_modules: nullable(targetSpec, 'a list of module names or a regex string'),
  fan_in_fan_out: only([false], 'fan_in_fan_out'),
  init_ia3_weights: bool,
};
