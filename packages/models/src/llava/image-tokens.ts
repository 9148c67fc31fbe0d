import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, TfjsPeftError } from '@tfjs-peft/core';

/**
 * The image placeholders in `input_ids` do not match the image features: transformers' "Image
 * features and image tokens do not match, tokens: N, features: M".
 */
export class ImageTokenMismatchError extends TfjsPeftError {
  constructor(
    readonly tokens: number,
    readonly features: number,
    detail: string,
  ) {
    super('IMAGE_TOKENS_MISMATCH', `input_ids: image features and image tokens do not match, tokens: ${tokens}, features: ${features} (${detail})`);
  }
}

/** Row indices of each image placeholder in the flattened `[B·T]` ids, in order (batch-major, as `masked_scatter` fills them). */
export function imageTokenPositions(ids: ArrayLike<number>, imageTokenId: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) if (ids[i] === imageTokenId) out.push(i);
  return out;
}

/**
 * transformers' `inputs_embeds.masked_scatter(image_mask, image_features)`: the text embeddings
 * `[B, T, H]` with the rows at `positions` (flattened `[B·T]` indices) replaced, in order, by the
 * rows of `features` `[N, H]`. One gather over `[text rows; feature rows]`, so the gradient reaches
 * both, and the replaced text rows get none (as in transformers).
 */
export function scatterImageFeatures(embeds: tf.Tensor, features: tf.Tensor, positions: number[]): tf.Tensor {
  const [b, t, h] = embeds.shape as [number, number, number];
  if (features.rank !== 2 || features.shape[1] !== h || features.shape[0] !== positions.length)
    throw new ShapeError('image_features', `[${positions.length}, ${h}]`, features.shape);
  return tf.tidy(() => {
    const index = Int32Array.from({ length: b * t }, (_, i) => i);
    positions.forEach((p, k) => (index[p] = b * t + k));
    const rows = tf.concat([tf.reshape(embeds, [b * t, h]), features], 0);
    return tf.reshape(tf.gather(rows, tf.tensor1d(index, 'int32')), [b, t, h]);
  });
}
