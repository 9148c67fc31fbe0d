import { z } from 'zod';
import type { Common } from '../config';
import { commonOptions, ex, opt } from '../schema/primitives';
import { bool } from '../schema/file-fields';

/** Selective fine-tuning: no new parameters, a subset of the model's own is trained. */
export interface SelectiveConfig extends Common {
  /** bitfit: biases; ffn-only: feed-forward linears; attention-only: attention projections; full: everything */
  method: 'bitfit' | 'ffn-only' | 'attention-only' | 'full';
  /** also train LayerNorms (the Med-VLM study trains them with FFN/attention in some rows) */
  includeLayerNorm?: boolean;
}

export const SELECTIVE_METHODS = ['bitfit', 'ffn-only', 'attention-only', 'full'] as const;
/** PEFT has no such type: written with this one, which only tfjs-peft reads back. */
export const SELECTIVE_TYPE = 'TFJS_PEFT_SELECTIVE';

export const selectiveOptions = z.strictObject({ method: z.enum(SELECTIVE_METHODS), ...commonOptions, includeLayerNorm: opt(ex(z.boolean(), 'true or false')) });
export const SELECTIVE_FILE_FIELDS = {
  method: ex(
    z.enum(SELECTIVE_METHODS),
    SELECTIVE_METHODS.map((m) => `"${m}"`)
      .join(', ')
      .replace(/, ("full")$/, ' or $1'),
  ),
  include_layer_norm: bool,
};
