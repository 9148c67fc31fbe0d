import type { Module } from '@tfjs-peft/core';
import type { TargetSpec } from './config';

/** PEFT's default targets for the architectures tfjs-peft ships (utils/constants.py for BERT). */
export function defaultTargets(method: 'lora' | 'ia3' | 'ln-tuning', model: Module): { targets: TargetSpec; feedforward?: TargetSpec } {
  const isVisionOnly = model.namedModules().some(([n]) => /(^|\.)self_attn\.qkv$|(^|\.)attention\.attention\.query$/.test(n)) && !model.namedModules().some(([n]) => /(^|\.)attention\.self\.query$/.test(n));
  switch (method) {
    case 'lora':
      // BERT/RoBERTa/BLIP text: query, value; ViT (HF): query, value; BLIP vision: the fused qkv
      return { targets: isVisionOnly && model.namedModules().some(([n]) => n.endsWith('self_attn.qkv')) ? ['qkv'] : ['query', 'value'] };
    case 'ia3':
      return isVisionOnly && model.namedModules().some(([n]) => n.endsWith('self_attn.qkv'))
        ? { targets: ['qkv', 'fc2'], feedforward: ['fc2'] }
        : { targets: ['key', 'value', 'output.dense'], feedforward: ['output.dense'] };
    case 'ln-tuning':
      return { targets: '.*(LayerNorm|layernorm|layernorm_before|layernorm_after|layer_norm\\d*|post_layernorm)' };
  }
}
