import { z } from 'zod';
import type { Common } from '../config';
import { commonOptions, ex, nonNegInt, opt, posInt } from '../schema/primitives';
import { obj, str } from '../schema/file-fields';
import { PROMPT_LEARNING_FIELDS } from '../prefix-tuning/config';

export interface PromptTuningConfig extends Common {
  method: 'prompt-tuning';
  numVirtualTokens?: number;
  /** 'RANDOM' or initialise from the word embeddings of these token ids (PEFT 'TEXT' after tokenising) */
  initTokenIds?: number[];
}

export const promptOptions = z.strictObject({
  method: z.literal('prompt-tuning'),
  ...commonOptions,
  numVirtualTokens: opt(posInt),
  initTokenIds: opt(ex(z.array(nonNegInt).min(1), 'a non-empty list of token ids')),
});

export const PROMPT_FILE_FIELDS = {
  ...PROMPT_LEARNING_FIELDS,
  prompt_tuning_init: ex(z.enum(['RANDOM', 'TEXT', 'SAMPLE_VOCAB']), '"RANDOM", "TEXT" or "SAMPLE_VOCAB"'),
  prompt_tuning_init_text: str,
  tokenizer_name_or_path: str,
  tokenizer_kwargs: obj,
};
