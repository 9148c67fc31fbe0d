import * as tf from '@tensorflow/tfjs-core';
import { readCheckpointWeights, rawToTypedArray, manualSeed } from '@tfjs-peft/core';
import { BlipForQuestionAnswering } from '@tfjs-peft/models/blip';

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
    vision_config: { hidden_size: o.hidden, num_hidden_layers: o.layers, num_attention_heads: o.heads, intermediate_size: o.ffn, image_size: o.imageSize ?? 64, patch_size: o.patchSize ?? 16 },
  };
}

/**
 * Builds the model; with `textInit` (a BERT checkpoint of the same hidden size), the joint encoder
 * and the decoder start from its embeddings, self-attention and FFN weights — MISS initialises both
 * from BERT — while cross-attention and the vision tower start fresh. Vocabulary rows beyond the
 * checkpoint's ([DEC], [ENC]) keep their random initialisation. Returns the names loaded.
 */
export async function buildMissSmall(config: Record<string, unknown>, textInit: string | null, seed: number): Promise<{ model: BlipForQuestionAnswering; loaded: number }> {
  manualSeed(seed);
  const model = new BlipForQuestionAnswering(config);
  if (!textInit) return { model, loaded: 0 };
  const weights = await readCheckpointWeights(textInit);
  const params = new Map(model.namedParameters());
  let loaded = 0;
  for (const [name, raw] of weights) {
    if (!/^(bert\.|cls\.)/.test(name) || /pooler/.test(name)) continue;
    const targets = name.startsWith('bert.') ? [`text_encoder.${name.slice(5)}`, `text_decoder.${name}`] : [`text_decoder.${name}`];
    for (const t of targets) {
      const p = params.get(t);
      if (!p) continue;
      const values = rawToTypedArray(raw, name) as Float32Array;
      if (raw.shape.join() === p.shape.join()) {
        tf.tidy(() => p.assign(tf.tensor(values, raw.shape)));
      } else if (raw.shape.length === p.shape.length && raw.shape.slice(1).join() === p.shape.slice(1).join() && raw.shape[0]! < p.shape[0]!) {
        // the vocabulary grew by [DEC] and [ENC]: copy the known rows
        tf.tidy(() => p.assign(tf.concat([tf.tensor(values, raw.shape), tf.slice(p.value, [raw.shape[0]!], [-1])], 0)));
      } else {
        throw new Error(`--text-init: ${name} is [${raw.shape}] but ${t} is [${p.shape}]; the BERT checkpoint must have the model's hidden size`);
      }
      loaded++;
    }
  }
  if (!loaded) throw new Error(`--text-init ${textInit}: no bert.* weights matched the model`);
  return { model, loaded };
}
