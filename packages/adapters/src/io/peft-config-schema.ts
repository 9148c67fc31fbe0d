/**
 * `adapter_config.json` as zod schemas: every field of PEFT 0.21's LoraConfig, IA3Config,
 * PrefixTuningConfig, PromptTuningConfig and LNTuningConfig (read from PEFT's dataclasses), plus
 * tfjs-peft's own TFJS_PEFT_SELECTIVE. Each field is type-checked; a field tfjs-peft does not
 * implement must keep PEFT's default (any other value changes PEFT's outputs, so loading it here
 * would silently differ). Keys PEFT 0.21 does not know are accepted only with an empty value
 * (null, false, [] or {}), as a newer PEFT writes its new fields at their defaults.
 */
import { z } from 'zod';
import { PeftError } from '../errors';
import { METHODS } from '../config';
import { alphaPattern, closest, ex, finite, formatIssues, layerIndexes, layersPattern, modulesList, posInt, rankPattern, targetSpec, taskType, dropout } from '../config-schema';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** a field tfjs-peft does not implement: only PEFT's default (or one of the harmless values) loads */
const only = (values: unknown[], field: string) =>
  ex(z.unknown().refine((v) => values.some((d) => same(v, d))), `${values.map((v) => JSON.stringify(v)).join(' or ')} (tfjs-peft does not implement other values of "${field}"; outputs would differ from PEFT's)`);
const nullable = <T extends z.ZodType>(s: T, what: string) => ex(s.nullable(), `null or ${what}`);
const str = nullable(z.string(), 'a string');
const obj = nullable(z.record(z.string(), z.unknown()), 'an object');
const bool = ex(z.boolean(), 'true or false');
const nullablePosInt = nullable(posInt, 'a positive integer');

const COMMON = {
  peft_type: ex(z.string(), 'a string'),
  task_type: taskType,
  auto_mapping: obj,
  peft_version: str,
  base_model_name_or_path: str,
  revision: str,
  inference_mode: bool,
  modules_to_save: nullable(modulesList, 'a list of module names'),
};
const TARGETS = {
  target_modules: nullable(targetSpec, 'a list of module names or a regex string'),
  exclude_modules: nullable(targetSpec, 'a list of module names or a regex string'),
};

const LORA = {
  ...COMMON,
  ...TARGETS,
  r: posInt,
  lora_alpha: finite,
  lora_dropout: dropout,
  fan_in_fan_out: only([false], 'fan_in_fan_out'),
  bias: only(['none'], 'bias'),
  use_rslora: bool,
  // weights come from the file; only inits that rewrite the base weights (PiSSA, OLoRA, CorDA, LoftQ, LoRA-GA, MiCA) change outputs
  init_lora_weights: ex(z.union([z.boolean(), z.enum(['gaussian', 'eva', 'orthogonal'])]), 'true, false, "gaussian", "eva" or "orthogonal" (inits that rewrite the base weights are not supported)'),
  layers_to_transform: nullable(layerIndexes, 'a layer index or a list of layer indexes'),
  layers_pattern: nullable(layersPattern, 'a string or a list of strings'),
  rank_pattern: nullable(rankPattern, 'an object of module regex → positive integer rank'),
  alpha_pattern: nullable(alphaPattern, 'an object of module regex → finite alpha'),
  megatron_config: only([null], 'megatron_config'),
  megatron_core: str,
  trainable_token_indices: only([null], 'trainable_token_indices'),
  loftq_config: obj, // ignored by PEFT unless init_lora_weights is "loftq"
  eva_config: obj,
  corda_config: obj,
  lora_ga_config: obj,
  use_dora: only([false], 'use_dora'),
  velora_config: only([null], 'velora_config'),
  alora_invocation_tokens: only([null], 'alora_invocation_tokens'),
  use_qalora: only([false], 'use_qalora'),
  qalora_group_size: nullablePosInt,
  monteclora_config: only([null], 'monteclora_config'),
  layer_replication: only([null], 'layer_replication'),
  runtime_config: obj,
  lora_bias: only([false], 'lora_bias'),
  target_parameters: only([null, []], 'target_parameters'),
  use_bdlora: only([null], 'use_bdlora'),
  arrow_config: only([null], 'arrow_config'),
  kasa_config: only([null], 'kasa_config'),
  ensure_weight_tying: only([false], 'ensure_weight_tying'),
};
const IA3 = { ...COMMON, ...TARGETS, feedforward_modules: nullable(targetSpec, 'a list of module names or a regex string'), fan_in_fan_out: only([false], 'fan_in_fan_out'), init_ia3_weights: bool };
const LN = { ...COMMON, ...TARGETS };
const PROMPT_COMMON = {
  ...COMMON,
  num_virtual_tokens: posInt,
  token_dim: nullablePosInt,
  num_transformer_submodules: ex(z.literal(1).nullable(), 'null or 1 (2 is for encoder-decoder models, which tfjs-peft does not prompt)'),
  num_attention_heads: nullablePosInt,
  num_layers: nullablePosInt,
};
const PREFIX = { ...PROMPT_COMMON, encoder_hidden_size: nullablePosInt, prefix_projection: bool, init_weights: ex(z.literal('zero').nullable(), 'null or "zero"') };
const PROMPT = {
  ...PROMPT_COMMON,
  prompt_tuning_init: ex(z.enum(['RANDOM', 'TEXT', 'SAMPLE_VOCAB']), '"RANDOM", "TEXT" or "SAMPLE_VOCAB"'),
  prompt_tuning_init_text: str,
  tokenizer_name_or_path: str,
  tokenizer_kwargs: obj,
};
const SELECTIVE = { ...COMMON, method: ex(z.enum(['bitfit', 'ffn-only', 'attention-only', 'full']), '"bitfit", "ffn-only", "attention-only" or "full"'), include_layer_norm: bool };

const REQUIRED: Record<string, string[]> = { PREFIX_TUNING: ['num_virtual_tokens'], PROMPT_TUNING: ['num_virtual_tokens'], TFJS_PEFT_SELECTIVE: ['method'] };
export const FILE_FIELDS: Record<string, Record<string, z.ZodType>> = { LORA, IA3, LN_TUNING: LN, PREFIX_TUNING: PREFIX, PROMPT_TUNING: PROMPT, TFJS_PEFT_SELECTIVE: SELECTIVE };

const isEmpty = (v: unknown) => v === null || v === false || (Array.isArray(v) && v.length === 0) || (v != null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

/** the schema of one peft_type's file: all fields optional (PEFT's defaults) except the required ones, plus PEFT's cross-field rules */
function schemaFor(type: string): z.ZodType {
  const fields = FILE_FIELDS[type]!;
  const shape = Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, (REQUIRED[type] ?? []).includes(k) ? s : s.optional()]));
  return z.strictObject(shape).superRefine((j: Record<string, unknown>, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: { own: true } });
    if (typeof j.target_modules === 'string') {
      for (const k of ['layers_to_transform', 'layers_pattern']) if (j[k] != null) fail(k, `cannot be used when "target_modules" is a regex string (PEFT raises the same error)`);
    }
    if (j.layers_pattern != null && !isEmpty(j.layers_pattern) && j.layers_to_transform == null) fail('layers_pattern', 'needs "layers_to_transform" too (PEFT raises the same error)');
    if (type === 'IA3' && Array.isArray(j.feedforward_modules) && Array.isArray(j.target_modules)) {
      const extra = (j.feedforward_modules as string[]).filter((f) => !(j.target_modules as string[]).includes(f));
      if (extra.length) fail('feedforward_modules', `must be a subset of "target_modules"; not targets: ${extra.join(', ')}`);
    }
    for (const k of ['rank_pattern', 'alpha_pattern']) {
      for (const key of Object.keys((j[k] as object | null | undefined) ?? {})) {
        try {
          new RegExp(key);
        } catch (e) {
          fail(k, `key ${JSON.stringify(key)} is not a valid regular expression (${(e as Error).message})`);
        }
      }
    }
    if (type === 'LORA') {
      const r = typeof j.r === 'number' ? j.r : 8;
      const alpha = typeof j.lora_alpha === 'number' ? j.lora_alpha : 8;
      if (Number.isFinite(alpha) && !Number.isFinite(Math.fround(alpha / (j.use_rslora === true ? Math.sqrt(r) : r)))) fail('lora_alpha', 'gives a scaling outside float32 range');
    }
  });
}

/** Validates a parsed `adapter_config.json`: one PeftError naming the file and every bad field. */
export function checkAdapterConfig(json: unknown, label: string, supported: string): Record<string, unknown> {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) throw new PeftError(`${label}: expected a JSON object with a "peft_type", got ${JSON.stringify(json)}`);
  const j = json as Record<string, unknown>;
  const type = j.peft_type;
  if (typeof type !== 'string' || !FILE_FIELDS[type]) {
    const near = typeof type === 'string' ? closest(type, Object.keys(FILE_FIELDS)) : undefined;
    throw new PeftError(`${label}: peft_type ${JSON.stringify(type)} is not supported; supported: ${supported}${near && near !== type ? ` (did you mean ${near}?)` : ''}`, 'PEFT_UNSUPPORTED');
  }
  const fields = FILE_FIELDS[type]!;
  // keys PEFT 0.21 does not know: fine when empty (a newer PEFT's defaults), otherwise reported below as unknown
  const input = Object.fromEntries(Object.entries(j).filter(([k, v]) => k in fields || !isEmpty(v)));
  const schema = schemaFor(type);
  const r = schema.safeParse(input);
  if (r.success) return input;
  const lines = formatIssues(r.error.issues, input, z.strictObject(fields), () => Object.keys(fields));
  throw new PeftError(`${label}: invalid ${type} config:\n  ${[...new Set(lines)].join('\n  ')}`);
}

export const SELECTIVE_METHODS = METHODS.filter((m) => ['bitfit', 'ffn-only', 'attention-only', 'full'].includes(m));
