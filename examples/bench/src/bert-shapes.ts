import { manualSeed } from '@tfjs-peft/core';
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
    model_type: 'bert', vocab_size: 30522, hidden_size: H, num_hidden_layers: L, num_attention_heads: heads, intermediate_size: ffn,
    max_position_embeddings: 512, type_vocab_size: 2, num_labels: 2, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1,
  });
}
