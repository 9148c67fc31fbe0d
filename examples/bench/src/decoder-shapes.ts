import { manualSeed } from '@tfjs-peft/core';
import { applyPeft, type PeftModel } from '@tfjs-peft/adapters';
import { LlamaForCausalLM } from '@tfjs-peft/models/llama';

/** One decoder shape: the fields of its Hugging Face `config.json` that set the work of a step. */
export interface DecoderShape {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  tied: boolean;
  ropeTheta: number;
  rmsNormEps: number;
  maxPositions: number;
}

/**
 * The published configs of SmolLM2-135M / -360M and TinyLlama-1.1B (HuggingFaceTB/SmolLM2-*,
 * TinyLlama/TinyLlama-1.1B-Chat-v1.0), and a tiny Llama for the command-line test. Random weights:
 * only the shapes are theirs.
 */
export const DECODER_SHAPES: Record<string, DecoderShape> = {
  'llama-tiny': { hidden: 64, intermediate: 128, layers: 2, heads: 4, kvHeads: 2, vocab: 512, tied: true, ropeTheta: 10000, rmsNormEps: 1e-5, maxPositions: 2048 },
  'smollm2-135m': { hidden: 576, intermediate: 1536, layers: 30, heads: 9, kvHeads: 3, vocab: 49152, tied: true, ropeTheta: 100000, rmsNormEps: 1e-5, maxPositions: 8192 },
  'smollm2-360m': { hidden: 960, intermediate: 2560, layers: 32, heads: 15, kvHeads: 5, vocab: 49152, tied: true, ropeTheta: 100000, rmsNormEps: 1e-5, maxPositions: 8192 },
  'tinyllama-1.1b': { hidden: 2048, intermediate: 5632, layers: 22, heads: 32, kvHeads: 4, vocab: 32000, tied: false, ropeTheta: 10000, rmsNormEps: 1e-5, maxPositions: 2048 },
};

/** `L/hidden/heads/kv/FFN/vocab` of a shape, for the table. */
export function decoderShapeLabel(name: string): string {
  const s = decoderShape(name);
  return `${s.layers}/${s.hidden}/${s.heads}/${s.kvHeads}/${s.intermediate}/${s.vocab}${s.tied ? ' tied' : ''}`;
}

export function decoderShape(name: string): DecoderShape {
  const s = DECODER_SHAPES[name];
  if (!s) throw new Error(`decoder shape ${name} is not one of ${Object.keys(DECODER_SHAPES).join(', ')}`);
  return s;
}

/**
 * The shape's `config.json`, as transformers 5 writes a Llama config (`rope_parameters`): ours is
 * built from it, and scripts/torch_decoder_step.py builds `LlamaForCausalLM(LlamaConfig.from_pretrained(dir))`
 * from the same file.
 */
export function decoderConfig(name: string): Record<string, unknown> {
  const s = decoderShape(name);
  return {
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    vocab_size: s.vocab,
    hidden_size: s.hidden,
    intermediate_size: s.intermediate,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    head_dim: s.hidden / s.heads,
    max_position_embeddings: s.maxPositions,
    rms_norm_eps: s.rmsNormEps,
    rope_parameters: { rope_type: 'default', rope_theta: s.ropeTheta },
    tie_word_embeddings: s.tied,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: 0,
    bos_token_id: 1,
    eos_token_id: 2,
  };
}

/**
 * A randomly initialised `LlamaForCausalLM` of the config (seed 0) under PEFT's LoRA defaults for
 * Llama (q_proj, v_proj) with r 8, α 16, dropout 0 — what scripts/torch_decoder_step.py builds —
 * in training mode.
 */
export function decoderLora(config: Record<string, unknown>): PeftModel<LlamaForCausalLM> {
  manualSeed(0);
  const model = new LlamaForCausalLM(config);
  const peft = applyPeft(model, { method: 'lora', r: 8, loraAlpha: 16, loraDropout: 0 });
  peft.train();
  return peft;
}
