import { z } from 'zod';
import type { Common } from '../config';
import { commonOptions, ex, opt, posInt } from '../schema/primitives';
import { bool, nullablePosInt, nullable } from '../schema/file-fields';

export interface PrefixTuningConfig extends Common {
  /** 'prefix-tuning' = MILE's "Prefix" (MLP projection); 'p-tuning-v2' = the same without projection */
  method: 'prefix-tuning' | 'p-tuning-v2';
  numVirtualTokens?: number;
  /** projection hidden size (PEFT `encoder_hidden_size`, default token_dim) */
  encoderHiddenSize?: number;
}

/** PEFT's default number of virtual tokens (prefix and prompt tuning). */
export const NUM_VIRTUAL_TOKENS = 20;

export const prefixOptions = z.strictObject({ method: z.enum(['prefix-tuning', 'p-tuning-v2']), ...commonOptions, numVirtualTokens: opt(posInt), encoderHiddenSize: opt(posInt) });

/** Fields of PEFT 0.21's PromptLearningConfig (prefix and prompt tuning), besides the common ones. */
export const PROMPT_LEARNING_FIELDS = {
  num_virtual_tokens: posInt,
  token_dim: nullablePosInt,
  num_transformer_submodules: ex(z.literal(1).nullable(), 'null or 1 (2 is for encoder-decoder models, which tfjs-peft does not prompt)'),
  num_attention_heads: nullablePosInt,
  num_layers: nullablePosInt,
};
export const PREFIX_FILE_FIELDS = { ...PROMPT_LEARNING_FIELDS, encoder_hidden_size: nullablePosInt, prefix_projection: bool, init_weights: nullable(z.literal('zero'), '"zero"') };
