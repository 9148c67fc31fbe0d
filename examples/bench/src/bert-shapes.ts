import type * as tf from '@tensorflow/tfjs-core';
import { manualSeed, type Module } from '@tfjs-peft/core';
import { applyPeft } from '@tfjs-peft/adapters';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';

/** L / hidden / heads / FFN of the PyTorch reference table (ENVIRONMENT.md). */
export const SHAPES: Record<string, [number, number, number, number]> = {
  tiny: [2, 128, 2, 512],
  mini: [4, 256, 4, 1024],
  small: [4, 512, 8, 2048],
  base: [12, 768, 12, 3072],
};

/** A freshly initialised BERT classifier of a reference shape (seed 0, dropout 0.1, as scripts/torch_step.py). */
export function referenceBert(shape: string): BertForSequenceClassification {
  const s = SHAPES[shape];
  if (!s) throw new Error(`shape ${shape} is not one of ${Object.keys(SHAPES).join(', ')}`);
  const [L, H, heads, ffn] = s;
  manualSeed(0);
  return new BertForSequenceClassification({
    model_type: 'bert',
    vocab_size: 30522,
    hidden_size: H,
    num_hidden_layers: L,
    num_attention_heads: heads,
    intermediate_size: ffn,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    num_labels: 2,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
  });
}

/** The benchmark's training modes (the columns of the PyTorch reference table). */
export const MODES = ['full', 'LayerNorm-only', 'LoRA'] as const;
export type Mode = (typeof MODES)[number];

export type Trainable = Module & { forward(i: Record<string, tf.Tensor | boolean>): { loss?: tf.Tensor } };

/**
 * The reference BERT set up for a mode, in training mode: every weight (full), the LayerNorms and
 * the classifier (LayerNorm-only), or PEFT-style LoRA r 8, α 16 on query/value (scripts/torch_step.py's).
 */
export function referenceTrainable(shape: string, mode: string): Trainable {
  if (!(MODES as readonly string[]).includes(mode)) throw new Error(`mode ${mode} is not one of ${MODES.join(', ')}`);
  const model = referenceBert(shape);
  let net: Trainable = model;
  if (mode === 'LayerNorm-only') model.freeze((n) => !n.includes('LayerNorm') && !n.startsWith('classifier.'));
  if (mode === 'LoRA') net = applyPeft(model, { method: 'lora', r: 8, loraAlpha: 16, loraDropout: 0.1 });
  net.train();
  return net;
}
