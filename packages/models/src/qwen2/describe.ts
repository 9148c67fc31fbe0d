import type { ModelDescription } from '@tfjs-peft/core';
import { describeLlamaFamily, type LlamaDescribedConfig } from '../llama/describe';

/** Qwen2's LN-tuning target (a full-match regex): PEFT's table for `qwen2` lists `post_attention_layernorm` only. */
export const QWEN2_NORM_TARGET = '(.*\\.)?post_attention_layernorm';

/**
 * The description of Qwen2 (Llama's module names; `base` `''` for the bare model, `model` for a
 * head). Default targets are PEFT's tables for `qwen2`: LoRA `q_proj`, `v_proj`; IA3 `q_proj`,
 * `v_proj`, `down_proj` with `down_proj` feed-forward; LN tuning `post_attention_layernorm`.
 */
export function describeQwen2(c: LlamaDescribedConfig, base: string): ModelDescription {
  return describeLlamaFamily(c, base, 'qwen2', { lora: ['q_proj', 'v_proj'], ia3: ['q_proj', 'v_proj', 'down_proj'], ia3FeedForward: ['down_proj'], lnTuning: QWEN2_NORM_TARGET });
}
