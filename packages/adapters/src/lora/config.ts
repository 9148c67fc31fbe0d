import { z } from 'zod';
import type { Common, TargetSpec } from '../config';
import { alphaPattern, commonOptions, dropout, ex, finite, layerIndexes, layersPattern, opt, posInt, rankPattern, targetSpec } from '../schema/primitives';
import { bool, nullable, nullablePosInt, obj, only, str } from '../schema/file-fields';

export interface LoraConfig extends Common {
  method: 'lora';
  r?: number;
  loraAlpha?: number;
  loraDropout?: number;
  /** default: the model's own (`describe().targets.lora`; BERT: query, value) */
  targetModules?: TargetSpec;
  excludeModules?: TargetSpec;
  /** rsLoRA: scaling α/√r instead of α/r */
  useRslora?: boolean;
  /** `true`: A kaiming-uniform, B zeros (a no-op at start); `'gaussian'`: A ~ N(0, 1/r) */
  initLoraWeights?: boolean | 'gaussian';
  /**
   * PEFT `rank_pattern` / `alpha_pattern`: per-module r / alpha. Keys are regexes; a module takes the
   * first key (in insertion order) with `^(.*\.)?(key)$` matching its name (PEFT's `get_pattern_key`).
   */
  rankPattern?: Record<string, number>;
  alphaPattern?: Record<string, number>;
  /**
   * PEFT `layers_to_transform` / `layers_pattern`: with a list `targetModules`, only modules in these
   * layer indexes (the number after a `layersPattern` segment such as `layer`, or after the first
   * `<segment>.` when no pattern is given). An exact-name target is not filtered (as PEFT).
   */
  layersToTransform?: number | number[];
  layersPattern?: string | string[];
}

/** PEFT's LoraConfig defaults, written once. */
export const LORA_DEFAULTS = { r: 8, loraAlpha: 8, loraDropout: 0, useRslora: false, initLoraWeights: true } as const;

/** The camelCase options of LoRA (and of DoRA, which adds nothing to them). */
export const loraOptionFields = {
  ...commonOptions,
  r: opt(posInt),
  loraAlpha: opt(finite),
  loraDropout: opt(dropout),
  targetModules: opt(targetSpec),
  excludeModules: opt(targetSpec),
  useRslora: opt(ex(z.boolean(), 'true or false')),
  initLoraWeights: opt(ex(z.union([z.boolean(), z.literal('gaussian')]), 'true, false or "gaussian"')),
  rankPattern: opt(rankPattern),
  alphaPattern: opt(alphaPattern),
  layersToTransform: opt(layerIndexes),
  layersPattern: opt(layersPattern),
};
export const loraOptions = z.strictObject({ method: z.literal('lora'), ...loraOptionFields });

/** Every field of PEFT 0.21's LoraConfig besides the common ones (read from PEFT's dataclass). */
export const LORA_FILE_FIELDS = {
  r: posInt,
  lora_alpha: finite,
  lora_dropout: dropout,
  fan_in_fan_out: only([false], 'fan_in_fan_out'),
  bias: only(['none'], 'bias'),
  use_rslora: bool,
  // weights come from the file; only inits that rewrite the base weights (PiSSA, OLoRA, CorDA, LoftQ, LoRA-GA, MiCA) change outputs
  init_lora_weights: ex(
    z.union([z.boolean(), z.enum(['gaussian', 'eva', 'orthogonal'])]),
    'true, false, "gaussian", "eva" or "orthogonal" (inits that rewrite the base weights are not supported)',
  ),
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
