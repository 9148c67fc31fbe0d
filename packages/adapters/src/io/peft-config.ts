import type { MethodConfig, TargetSpec } from '../config';
import { PeftError } from '../errors';
import { defaultTargets } from '../defaults';
import type { Module } from '@tfjs-peft/core';
import { attentionShape } from '../prompt-inputs';
import { checkAdapterConfig } from './peft-config-schema';

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
        layers_to_transform: c.layersToTransform ?? null,
        layers_pattern: c.layersPattern ?? null,
        rank_pattern: c.rankPattern ?? {},
        alpha_pattern: c.alphaPattern ?? {},
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

/**
 * Reads an `adapter_config.json` into a method config. Every field is checked first
 * (`checkAdapterConfig`): a wrong type, an out-of-range value, a field tfjs-peft does not implement
 * at a non-default value, or an unknown `peft_type` is a PeftError naming the file and the fields.
 * With `model` (the module the adapter goes on), prompt sizes in the file must match it.
 */
export function fromAdapterConfigJson(json: unknown, label = 'adapter_config.json', model?: Module): MethodConfig {
  const supported = `${[...new Set(Object.values(PEFT_TYPES))].join(', ')}, ${SELECTIVE_TYPE}`;
  const j = checkAdapterConfig(json, label, supported);
  const common = {
    modulesToSave: (j.modules_to_save as string[] | null) ?? undefined,
    taskType: (j.task_type as MethodConfig['taskType']) ?? null,
  };
  const spec = (k: string) => (j[k] as TargetSpec | null | undefined) ?? undefined;
  const prompt = () => {
    if (!model) return;
    const s = attentionShape(model, 'model');
    for (const [k, want] of [['token_dim', s.hidden], ['num_attention_heads', s.numHeads], ['num_layers', s.numLayers]] as const) {
      if (j[k] != null && j[k] !== want) throw new PeftError(`${label}: "${k}" is ${JSON.stringify(j[k])} but the model has ${want}`);
    }
  };
  const pattern = (k: string) => {
    const v = j[k] as Record<string, number> | null | undefined;
    return v && Object.keys(v).length ? v : undefined;
  };
  switch (j.peft_type) {
    case 'LORA':
      return {
        ...common,
        method: 'lora',
        r: (j.r as number | undefined) ?? 8,
        loraAlpha: (j.lora_alpha as number | undefined) ?? 8,
        loraDropout: (j.lora_dropout as number | undefined) ?? 0,
        targetModules: spec('target_modules'),
        excludeModules: spec('exclude_modules'),
        useRslora: j.use_rslora === true,
        initLoraWeights: false, // weights come from the file
        rankPattern: pattern('rank_pattern'),
        alphaPattern: pattern('alpha_pattern'),
        layersToTransform: (j.layers_to_transform as number | number[] | null | undefined) ?? undefined,
        layersPattern: (j.layers_pattern as string | string[] | null | undefined) ?? undefined,
      };
    case 'IA3':
      return { ...common, method: 'ia3', targetModules: spec('target_modules'), feedforwardModules: spec('feedforward_modules') ?? [], excludeModules: spec('exclude_modules') };
    case 'LN_TUNING':
      return { ...common, method: 'ln-tuning', targetModules: spec('target_modules'), excludeModules: spec('exclude_modules') };
    case 'PREFIX_TUNING':
      prompt();
      // the file holds the encoder output table; a projection MLP is not saved by PEFT, so it loads as P-Tuning v2
      return { ...common, method: 'p-tuning-v2', numVirtualTokens: j.num_virtual_tokens as number };
    case 'PROMPT_TUNING':
      prompt();
      return { ...common, method: 'prompt-tuning', numVirtualTokens: j.num_virtual_tokens as number };
    default: // SELECTIVE_TYPE (checkAdapterConfig rejects every other type)
      return { ...common, method: j.method as 'bitfit', includeLayerNorm: j.include_layer_norm === true };
  }
}
