import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SftMessage } from './format-chat';

/** What scripts/make_golden.py recorded with transformers (read by the tests only). */
export interface CausalLmGolden {
  chat: Record<string, { messages: SftMessage[]; input_ids: number[]; labels?: number[]; error?: { turn: number } }[]>;
  prompt_completion: Record<string, { prompt: string | SftMessage[]; completion: string | SftMessage[]; input_ids: number[]; labels?: number[]; error?: boolean }[]>;
  seq2seq_padding: Record<'right' | 'left', { pad_token_id: number; input_ids: number[][]; attention_mask: number[][]; labels: number[][] }>;
  flattening: {
    features: { input_ids: number[]; labels: number[] }[];
    with_labels: { input_ids: number[][]; labels: number[][]; position_ids: number[][] };
    without_labels: { input_ids: number[][]; labels: number[][]; position_ids: number[][] };
  };
  length_grouped: { lengths: number[]; batch_size: number; mega_batch_mult: number | null; seed: number; randperm: number[]; order: number[] }[];
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The repo's tokenizer fixtures (recorded from transformers by the models package). */
export const TOKENIZER_FIXTURES = join(HERE, '..', '..', '..', 'models', 'src', 'tokenizer', 'fixtures');

export function readGolden(): CausalLmGolden {
  return JSON.parse(readFileSync(join(HERE, 'scripts', 'golden.json'), 'utf8')) as CausalLmGolden;
}
