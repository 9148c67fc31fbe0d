import { exists, joinPath, readText, writeFileAtomic, type FileLocation } from '@tfjs-peft/core';
import { ConfigError } from '../../common/config';
import type { LlamaGenerateOptions } from './options';

/** `generation_config.json` fields that map one-to-one onto `generate` options. */
const FIELDS: Record<string, keyof LlamaGenerateOptions> = {
  max_new_tokens: 'maxNewTokens',
  max_length: 'maxLength',
  do_sample: 'doSample',
  temperature: 'temperature',
  top_k: 'topK',
  top_p: 'topP',
  repetition_penalty: 'repetitionPenalty',
  eos_token_id: 'eosTokenId',
  pad_token_id: 'padTokenId',
  num_beams: 'numBeams',
  length_penalty: 'lengthPenalty',
  early_stopping: 'earlyStopping',
  use_cache: 'useCache',
};

/** Fields that do not change what decoder-only `generate` produces. */
const INERT = new Set([
  'transformers_version',
  '_from_model_config',
  'bos_token_id',
  'decoder_start_token_id',
  'output_scores',
  'return_dict_in_generate',
  'output_attentions',
  'output_hidden_states',
  'output_logits',
  'cache_implementation',
  'compile_config',
  'watermarking_config',
]);

/** Other GenerationConfig fields at transformers' defaults: harmless when a file repeats them. */
const DEFAULTS: Record<string, unknown> = {
  min_length: 0,
  min_new_tokens: null,
  num_return_sequences: 1,
  no_repeat_ngram_size: 0,
  encoder_no_repeat_ngram_size: 0,
  num_beam_groups: 1,
  diversity_penalty: 0,
  typical_p: 1,
  epsilon_cutoff: 0,
  eta_cutoff: 0,
  min_p: null,
  top_h: null,
  encoder_repetition_penalty: 1,
  bad_words_ids: null,
  force_words_ids: null,
  suppress_tokens: null,
  begin_suppress_tokens: null,
  renormalize_logits: false,
  remove_invalid_values: false,
  exponential_decay_length_penalty: null,
  sequence_bias: null,
  constraints: null,
  forced_bos_token_id: null,
  forced_eos_token_id: null,
  guidance_scale: null,
  stop_strings: null,
  max_time: null,
  penalty_alpha: null,
  dola_layers: null,
  assistant_model: null,
  prompt_lookup_num_tokens: null,
  low_memory: null,
  token_healing: false,
};

export interface ParsedGenerationConfig {
  /** the `generate` defaults the file sets (explicit options win over them) */
  options: Partial<LlamaGenerateOptions>;
  /** fields that would change transformers' output but that `generate` does not implement */
  unsupported: string[];
}

/**
 * Reads a checkpoint's `generation_config.json` as transformers' `GenerationConfig`: its values
 * become `generate`'s defaults (so `generate(prompts)` without options does what transformers'
 * `model.generate(input_ids)` does). `null` means unset. Values are checked by `generate` itself,
 * with the field's option name in the message.
 */
export function parseGenerationConfig(raw: Record<string, unknown>): ParsedGenerationConfig {
  const options: Record<string, unknown> = {};
  const unsupported: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || INERT.has(k)) continue;
    const name = FIELDS[k];
    if (name) options[name] = v;
    else if (!(k in DEFAULTS) || JSON.stringify(DEFAULTS[k]) !== JSON.stringify(v)) unsupported.push(`${k} = ${JSON.stringify(v)}`);
  }
  return { options: options as Partial<LlamaGenerateOptions>, unsupported };
}

/**
 * `generation_config.json` of a checkpoint folder, or null when it has none: a JSON object, else
 * a ConfigError naming the file; fields `generate` does not implement go to `warn`.
 */
export async function readGenerationConfig(dir: FileLocation, warn: (message: string) => void): Promise<Record<string, unknown> | null> {
  const file = joinPath(dir, 'generation_config.json');
  if (!(await exists(file))) return null;
  const { text, label } = await readText(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${label}: not valid JSON (${(e as Error).message})`);
  }
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${label}: expected a JSON object, got ${JSON.stringify(raw)}`);
  const { unsupported } = parseGenerationConfig(raw as Record<string, unknown>);
  if (unsupported.length) warn(`${label}: generate does not implement ${unsupported.join(', ')}; it ignores them (transformers would apply them)`);
  return raw as Record<string, unknown>;
}

/** Writes `generation_config.json` beside a saved checkpoint (atomically), as transformers' `save_pretrained`. */
export async function writeGenerationConfig(dir: FileLocation, config: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(joinPath(dir, 'generation_config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** `generate`'s options over a checkpoint's generation config: what is passed wins. */
export function withGenerationDefaults(config: Record<string, unknown> | null, options: LlamaGenerateOptions): LlamaGenerateOptions {
  return config ? { ...parseGenerationConfig(config).options, ...options } : options;
}
