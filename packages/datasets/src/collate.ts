import * as tf from '@tensorflow/tfjs-core';

/** What collation needs of a tokenizer (`BertTokenizer` from `@tfjs-peft/models/bert` has it). */
export interface BatchTokenizer {
  encodeBatch(
    inputs: (string | [string, string])[],
    options: { padding?: boolean | 'longest' | 'max_length'; truncation?: boolean | 'longest_first' | 'only_first' | 'only_second'; maxLength?: number },
  ): { inputIds: number[][]; tokenTypeIds: number[][]; attentionMask: number[][] };
}

export interface TextBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  /** int32 class ids, or float32 scores (regression); absent when the examples have no labels */
  labels?: tf.Tensor1D;
}

/**
 * Tokenises a batch of text (pairs) examples, pads to the longest (or `maxLength`), and returns
 * `[B, T]` tensors with camelCase HF names, ready for `model.forward`.
 */
export function collateText(
  tokenizer: BatchTokenizer,
  examples: { textA: string; textB: string | null; label: number | null }[],
  options: { maxLength?: number; padToMaxLength?: boolean; regression?: boolean } = {},
): TextBatch {
  const enc = tokenizer.encodeBatch(
    examples.map((e) => (e.textB == null ? e.textA : [e.textA, e.textB])),
    { padding: options.padToMaxLength ? 'max_length' : 'longest', truncation: 'longest_first', maxLength: options.maxLength ?? 128 },
  );
  const shape: [number, number] = [examples.length, enc.inputIds[0]?.length ?? 0];
  const out: TextBatch = {
    inputIds: tf.tensor2d(enc.inputIds.flat(), shape, 'int32'),
    attentionMask: tf.tensor2d(enc.attentionMask.flat(), shape, 'int32'),
    tokenTypeIds: tf.tensor2d(enc.tokenTypeIds.flat(), shape, 'int32'),
  };
  if (examples.every((e) => e.label != null)) {
    out.labels = tf.tensor1d(
      examples.map((e) => e.label!),
      options.regression ? 'float32' : 'int32',
    );
  }
  return out;
}
