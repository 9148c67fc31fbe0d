import { z } from 'zod';
import type { LoraConfig } from '../lora/config';
import { LORA_FILE_FIELDS, loraOptionFields } from '../lora/config';
import { only } from '../schema/file-fields';

/**
 * DoRA (HF PEFT `LoraConfig(use_dora=True)`): LoRA's options, defaults and targets, plus a learned
 * per-output magnitude. Files are PEFT's LORA files with `use_dora: true`.
 */
export interface DoraConfig extends Omit<LoraConfig, 'method'> {
  method: 'dora';
}

export const doraOptions = z.strictObject({ method: z.literal('dora'), ...loraOptionFields });

/** LoRA's file fields, with `use_dora` true. */
export const DORA_FILE_FIELDS = { ...LORA_FILE_FIELDS, use_dora: only([true], 'use_dora') };
