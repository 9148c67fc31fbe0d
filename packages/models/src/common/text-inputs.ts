import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@tfjs-peft/core';
import { checkInputKeys } from './input-keys';

/** `t` as int32 (bool and float32 are cast, a new tensor); other dtypes are a ShapeError naming `name`. */
export function toInt32(t: tf.Tensor | null | undefined, name: string): tf.Tensor | null {
  if (t == null) return null;
  if (t.dtype === 'int32') return t;
  if (t.dtype === 'bool' || t.dtype === 'float32') return tf.cast(t, 'int32');
  throw new ShapeError(name, 'an int32 tensor', t.shape);
}

/**
 * The token inputs every text encoder checks first: `input_ids` `[B, T]` or `inputs_embeds`
 * `[B, T, H]`, and an `attention_mask` of `[B, T]`, as int32. `release()` frees the casts made here
 * (call it once the pass no longer reads them); the caller's tensors are never freed.
 */
export function textInputs(inputs: { inputIds?: tf.Tensor | null; attentionMask?: tf.Tensor | null; inputsEmbeds?: tf.Tensor | null }): {
  ids: tf.Tensor | null;
  mask: tf.Tensor | null;
  batch: number;
  length: number;
  release(): void;
} {
  checkInputKeys(inputs);
  const ids = toInt32(inputs.inputIds, 'input_ids');
  const source = inputs.inputsEmbeds ?? ids;
  if (!source) throw new ShapeError('input_ids', 'input_ids or inputs_embeds', []);
  if (ids && ids.rank !== 2) throw new ShapeError('input_ids', '[batch, seq]', ids.shape);
  const [batch, length] = source.shape as [number, number];
  const mask = toInt32(inputs.attentionMask, 'attention_mask');
  if (mask && mask.shape.join(',') !== `${batch},${length}`) throw new ShapeError('attention_mask', [batch, length], mask.shape);
  return {
    ids,
    mask,
    batch,
    length,
    release: () => {
      if (ids && ids !== inputs.inputIds) ids.dispose();
      if (mask && mask !== inputs.attentionMask) mask.dispose();
    },
  };
}
