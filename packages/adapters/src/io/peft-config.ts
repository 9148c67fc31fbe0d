import type { MethodConfig, TargetSpec } from '../config';
import { PeftError } from '../errors';
import { defaultTargets } from '../defaults';
import type { Module } from '@tfjs-peft/core';

type Json = Record<string, unknown>;

const PEFT_TYPES: Record<string, string> = {
  lora: 'LORA',
  ia3: 'IA3',
  'ln-tuning': 'LN_TUNING',
  'prefix-tuning': 'PREFIX_TUNING',
  'p-tuning-v2': 'PREFIX_TUNING',
  'prompt-tuning': 'PROMPT_TUNING',
};
/** Types PEFT does not have: written with this prefix; only tfjs-peft reads them back. */
export const SELECTIVE_TYPE = 'TFJS_PEFT_SELECTIVE';

const toSpec = (v: unknown, field: string, label: string): TargetSpec | undefined => {
  if (v == null) return undefined;
  if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) return v as TargetSpec;
  throw new PeftError(`${label}: "${field}" expected a list of module names or a regex string, got ${JSON.stringify(v)}`);
};

/**
 * `adapter_config.json` as PEFT writes it (the fields PEFT 0.21 reads for each type; `inference_mode`
 * true). `extra` carries what the model supplies (prompt sizes, resolved default targets).
 */
export function toAdapterConfigJson(c: MethodConfig, model: Module, extra: { baseModel?: string; prompt?: { numLayers: number; numHeads: number; tokenDim: number } } = {}): Json {
  const common = {
    base_model_name_or_path: extra.baseModel ?? null,
    revision: null,
    inference_mode: true,
    task_type: c.taskType ?? null,
    modules_to_save: c.modulesToSave?.length ? c.modulesToSave : null,
    peft_version: '0.21.0',
  };
  switch (c.method) {
    case 'lora':
      return {
        ...common,
        peft_type: 'LORA',
        r: c.r ?? 8,
        lora_alpha: c.loraAlpha ?? 8,
        lora_dropout: c.loraDropout ?? 0,
        target_modules: c.targetModules ?? defaultTargets('lora', model).targets,
        exclude_modules: c.excludeModules ?? null,
        use_rslora: c.useRslora ?? false,
        init_lora_weights: c.initLoraWeights ?? true,
        bias: 'none',
        fan_in_fan_out: false,
        use_dora: false,
        lora_bias: false,
        layers_to_transform: null,
        layers_pattern: null,
        rank_pattern: {},
        alpha_pattern: {},
      };
    case 'ia3': {
      const d = defaultTargets('ia3', model);
      return {
        ...common,
        peft_type: 'IA3',
        target_modules: c.targetModules ?? d.targets,
        feedforward_modules: c.feedforwardModules ?? (c.targetModules ? [] : d.feedforward),
        exclude_modules: c.excludeModules ?? null,
        fan_in_fan_out: false,
        init_ia3_weights: true,
      };
    }
    case 'ln-tuning':
      return { ...common, peft_type: 'LN_TUNING', target_modules: c.targetModules ?? defaultTargets('ln-tuning', model).targets, exclude_modules: c.excludeModules ?? null };
    case 'prefix-tuning':
    case 'p-tuning-v2':
    case 'prompt-tuning': {
      const p = extra.prompt!;
      const base = {
        ...common,
        num_virtual_tokens: c.numVirtualTokens ?? 20,
        token_dim: p.tokenDim,
        num_transformer_submodules: 1,
        num_attention_heads: p.numHeads,
        num_layers: p.numLayers,
      };
      if (c.method === 'prompt-tuning') return { ...base, peft_type: 'PROMPT_TUNING', prompt_tuning_init: 'RANDOM', prompt_tuning_init_text: null, tokenizer_name_or_path: null, tokenizer_kwargs: null };
      return { ...base, peft_type: 'PREFIX_TUNING', prefix_projection: c.method === 'prefix-tuning', encoder_hidden_size: c.method === 'prefix-tuning' ? (c as { encoderHiddenSize?: number }).encoderHiddenSize ?? p.tokenDim : p.tokenDim };
    }
    default:
      return { ...common, peft_type: SELECTIVE_TYPE, method: c.method, include_layer_norm: (c as { includeLayerNorm?: boolean }).includeLayerNorm ?? false };
  }
}

/** Reads an `adapter_config.json` into a method config. Unknown `peft_type` is an error listing the supported ones. */
export function fromAdapterConfigJson(j: Json, label = 'adapter_config.json'): MethodConfig {
  const type = j.peft_type;
  const common = {
    modulesToSave: (j.modules_to_save as string[] | null) ?? undefined,
    taskType: (j.task_type as MethodConfig['taskType']) ?? null,
  };
  const num = (k: string, d?: number) => {
    const v = j[k] ?? d;
    if (typeof v !== 'number') throw new PeftError(`${label}: "${k}" expected a number, got ${JSON.stringify(j[k])}`);
    return v;
  };
  switch (type) {
    case 'LORA':
      for (const unsupported of ['use_dora', 'lora_bias', 'fan_in_fan_out'] as const) {
        if (j[unsupported]) throw new PeftError(`${label}: "${unsupported}": true is not supported by tfjs-peft yet`);
      }
      if (j.bias && j.bias !== 'none') throw new PeftError(`${label}: "bias": ${JSON.stringify(j.bias)} is not supported (only "none")`);
      if (j.layers_to_transform != null) throw new PeftError(`${label}: "layers_to_transform" is not supported by tfjs-peft yet`);
      if (j.rank_pattern && Object.keys(j.rank_pattern as object).length) throw new PeftError(`${label}: "rank_pattern" is not supported by tfjs-peft yet`);
      return {
        ...common,
        method: 'lora',
        r: num('r', 8),
        loraAlpha: num('lora_alpha', 8),
        loraDropout: num('lora_dropout', 0),
        targetModules: toSpec(j.target_modules, 'target_modules', label),
        excludeModules: toSpec(j.exclude_modules, 'exclude_modules', label),
        useRslora: j.use_rslora === true,
        initLoraWeights: false, // weights come from the file
      };
    case 'IA3':
      return { ...common, method: 'ia3', targetModules: toSpec(j.target_modules, 'target_modules', label), feedforwardModules: toSpec(j.feedforward_modules, 'feedforward_modules', label) ?? [], excludeModules: toSpec(j.exclude_modules, 'exclude_modules', label) };
    case 'LN_TUNING':
      return { ...common, method: 'ln-tuning', targetModules: toSpec(j.target_modules, 'target_modules', label), excludeModules: toSpec(j.exclude_modules, 'exclude_modules', label) };
    case 'PREFIX_TUNING':
      // the file holds the encoder output table; a projection MLP is not saved by PEFT, so it loads as P-Tuning v2
      return { ...common, method: 'p-tuning-v2', numVirtualTokens: num('num_virtual_tokens') };
    case 'PROMPT_TUNING':
      return { ...common, method: 'prompt-tuning', numVirtualTokens: num('num_virtual_tokens') };
    case SELECTIVE_TYPE:
      return { ...common, method: j.method as 'bitfit', includeLayerNorm: j.include_layer_norm === true };
    default:
      throw new PeftError(
        `${label}: peft_type ${JSON.stringify(type)} is not supported; supported: ${[...new Set(Object.values(PEFT_TYPES))].join(', ')}, ${SELECTIVE_TYPE}`,
        'PEFT_UNSUPPORTED',
      );
  }
}
