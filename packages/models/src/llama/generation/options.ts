import { TfjsPeftError } from '@tfjs-peft/core';

/** A `generate` option (or prompt) is missing, has the wrong type or is out of range; the message names it. */
export class GenerateOptionsError extends TfjsPeftError {
  constructor(message: string) {
    super('GENERATE_OPTIONS_INVALID', message);
  }
}

/**
 * `generate` options: transformers' `GenerationConfig` names in camelCase, with its defaults
 * (`max_length` 20, greedy, `top_k` 50 when sampling). A checkpoint's `generation_config.json`
 * (`LlamaForCausalLM.generationConfig`) sets the defaults first, as in transformers.
 */
export interface LlamaGenerateOptions {
  /** tokens to generate after the prompt (HF `max_new_tokens`; wins over `maxLength`) */
  maxNewTokens?: number;
  /** total length, the (left-padded) prompt included (HF `max_length`, default 20) */
  maxLength?: number;
  /** sample from the processed distribution instead of taking its argmax (HF `do_sample`) */
  doSample?: boolean;
  /** sampling only: logits divided by it (HF `temperature`, default 1) */
  temperature?: number;
  /** sampling only: keep the `topK` best tokens, 0 = off (HF `top_k`, default 50) */
  topK?: number;
  /** sampling only: keep the smallest set of best tokens whose probability reaches `topP` (HF `top_p`, default 1 = off) */
  topP?: number;
  /** HF `repetition_penalty` (CTRL) on every token of the sequence, the prompt and its padding included (default 1 = off) */
  repetitionPenalty?: number;
  /** one id or several; default the config's `eos_token_id`; null = stop only at the length limit */
  eosTokenId?: number | number[] | null;
  /** pads ragged prompts on the left and finished rows; default the config's `pad_token_id`, else the first EOS id */
  padTokenId?: number | null;
  /** 1 = greedy or sampling, more = beam search (HF `num_beams`) */
  numBeams?: number;
  /** beam search: hypotheses scored `sum log p / generated_length ** lengthPenalty` (HF `length_penalty`, default 1) */
  lengthPenalty?: number;
  /** beam search: HF `early_stopping` (default false) */
  earlyStopping?: boolean | 'never';
  /** sampling: the seed of the random draws (same seed, same sequences); default a random one */
  seed?: number;
  /** keep keys and values between steps (HF `use_cache`, default true); false recomputes every position each step */
  useCache?: boolean;
}

export const GENERATE_OPTION_NAMES = [
  'maxNewTokens',
  'maxLength',
  'doSample',
  'temperature',
  'topK',
  'topP',
  'repetitionPenalty',
  'eosTokenId',
  'padTokenId',
  'numBeams',
  'lengthPenalty',
  'earlyStopping',
  'seed',
  'useCache',
] as const satisfies readonly (keyof LlamaGenerateOptions)[];

/** The options with their defaults filled in; `maxLength` counts the padded prompt. */
export interface ResolvedGenerateOptions {
  maxLength: number;
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  eos: number[];
  pad: number | null;
  numBeams: number;
  lengthPenalty: number;
  earlyStopping: boolean | 'never';
  seed: number;
  useCache: boolean;
}

export interface GenerateContext {
  /** `LlamaForCausalLM.generate`, for messages */
  who: string;
  vocabSize: number;
  configEos: number | number[] | null;
  configPad: number | null;
  /** the padded prompt length */
  promptLength: number;
}

/** Checks `options` by name and fills in the defaults. */
export function resolveGenerateOptions(options: unknown, ctx: GenerateContext): ResolvedGenerateOptions {
  const { who, vocabSize } = ctx;
  const fail = (name: string, expected: string, got: unknown): never => {
    throw new GenerateOptionsError(`${who}: "${name}" expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
  };
  if (options == null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) fail('options', 'an object', options);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!(GENERATE_OPTION_NAMES as readonly string[]).includes(key))
      throw new GenerateOptionsError(`${who}: "${key}" is not a generate option; known: ${GENERATE_OPTION_NAMES.join(', ')}`);
  const int = (name: string, min: number, fallback: number): number => {
    const v = o[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(name, `an integer ≥ ${min}`, o[name]);
    return v as number;
  };
  const num = (name: string, ok: (v: number) => boolean, expected: string, fallback: number): number => {
    const v = o[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(name, expected, o[name]);
    return v as number;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = o[name] ?? fallback;
    if (typeof v !== 'boolean') fail(name, 'true or false', o[name]);
    return v as boolean;
  };
  const tokenId = (name: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= vocabSize) fail(name, `a token id in 0…${vocabSize - 1}`, v);
    return v as number;
  };

  let maxLength: number;
  if (o.maxNewTokens != null) maxLength = ctx.promptLength + int('maxNewTokens', 1, 1);
  else {
    maxLength = int('maxLength', 1, 20);
    if (maxLength <= ctx.promptLength)
      throw new GenerateOptionsError(`${who}: "maxLength" ${maxLength} leaves nothing to generate after the (padded) prompt of ${ctx.promptLength} tokens; pass maxNewTokens`);
  }
  const eosRaw = o.eosTokenId !== undefined ? o.eosTokenId : ctx.configEos;
  const eos = eosRaw == null ? [] : Array.isArray(eosRaw) ? eosRaw.map((e) => tokenId('eosTokenId', e)) : [tokenId('eosTokenId', eosRaw)];
  const padRaw = o.padTokenId !== undefined ? o.padTokenId : (ctx.configPad ?? eos[0] ?? null);
  const pad = padRaw == null ? null : tokenId('padTokenId', padRaw);
  const numBeams = int('numBeams', 1, 1);
  const doSample = bool('doSample', false);
  if (doSample && numBeams > 1) throw new GenerateOptionsError(`${who}: "doSample" with "numBeams" ${numBeams} (beam sampling) is not supported; use one of them`);
  const early = o.earlyStopping ?? false;
  if (early !== true && early !== false && early !== 'never') fail('earlyStopping', 'true, false or "never"', o.earlyStopping);
  const seedRaw = o.seed ?? Math.floor(Math.random() * 2 ** 32);
  if (typeof seedRaw !== 'number' || !Number.isSafeInteger(seedRaw)) fail('seed', 'an integer', o.seed);
  return {
    maxLength,
    doSample,
    temperature: num('temperature', (v) => v > 0, 'a number > 0', 1),
    topK: int('topK', 0, 50),
    topP: num('topP', (v) => v > 0 && v <= 1, 'a number in (0, 1]', 1),
    repetitionPenalty: num('repetitionPenalty', (v) => v > 0, 'a number > 0', 1),
    eos,
    pad,
    numBeams,
    lengthPenalty: num('lengthPenalty', () => true, 'a number', 1),
    earlyStopping: early as boolean | 'never',
    seed: seedRaw as number,
    useCache: bool('useCache', true),
  };
}
