import type { ModelDescription } from '@tfjs-peft/core';
import { describeBertFamily } from '../bert/describe';
import type { ViTConfig } from './config';

/**
 * ViT (HF names: `attention.attention.{query,key,value}`, `layernorm_before/after`, final
 * `layernorm`): BERT's layer names, so BERT's rules, without word embeddings. PEFT's defaults for
 * `vit`: LoRA `query`, `value`.
 */
export function describeViT(c: ViTConfig, base: string): ModelDescription {
  return { ...describeBertFamily(c, base, 'vit', false) };
}
