import { readCheckpointWeights, manualSeed } from '@tfjs-peft/core';
import { BlipForQuestionAnswering, initBlipTextFromBert } from '@tfjs-peft/models/blip';

/** [DEC] and [ENC] follow the 30,522 bert-base-uncased tokens, as in BLIP/MISS. */
export const DEC_TOKEN_ID = 30522;
export const SEP_TOKEN_ID = 102;
export const PAD_TOKEN_ID = 0;

/**
 * A MISS-shaped BLIP (ViT → joint text-multimodal encoder → answer decoder) small enough for a
 * laptop CPU: vision and text hidden `hidden` (they must match: the decoder cross-attends to the
 * encoder's question states), `layers` layers each, 64 × 64 images in 16 × 16 patches, label
 * smoothing 0.1 as MISS.
 */
export function missSmallConfig(o: { hidden: number; layers: number; heads: number; ffn: number; imageSize?: number; patchSize?: number }): Record<string, unknown> {
  return {
    model_type: 'blip',
    label_smoothing: 0.1,
    text_config: {
      vocab_size: 30524,
      hidden_size: o.hidden,
      encoder_hidden_size: o.hidden,
      num_hidden_layers: o.layers,
      num_attention_heads: o.heads,
      intermediate_size: o.ffn,
      max_position_embeddings: 512,
      bos_token_id: DEC_TOKEN_ID,
      sep_token_id: SEP_TOKEN_ID,
      pad_token_id: PAD_TOKEN_ID,
      hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1,
    },
    vision_config: {
      hidden_size: o.hidden,
      num_hidden_layers: o.layers,
      num_attention_heads: o.heads,
      intermediate_size: o.ffn,
      image_size: o.imageSize ?? 64,
      patch_size: o.patchSize ?? 16,
    },
  };
}

/**
 * Builds the model; with `textInit` (a BERT checkpoint of the same hidden size), the joint encoder
 * and the decoder start from it (`initBlipTextFromBert`) — MISS initialises both from BERT — while
 * cross-attention and the vision tower start fresh.
 */
export async function buildMissSmall(config: Record<string, unknown>, textInit: string | null, seed: number): Promise<{ model: BlipForQuestionAnswering; loaded: number }> {
  manualSeed(seed);
  const model = new BlipForQuestionAnswering(config);
  if (!textInit) return { model, loaded: 0 };
  const loaded = initBlipTextFromBert(model, await readCheckpointWeights(textInit));
  if (!loaded) throw new Error(`--text-init ${textInit}: no bert.* weights matched the model`);
  return { model, loaded };
}
