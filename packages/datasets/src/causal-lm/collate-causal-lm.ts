import * as tf from '@tensorflow/tfjs-core';
import { CausalLmInputError, checkInt } from './errors';
import { checkTokenized } from './check-tokenized';
import { IGNORE_INDEX, type TokenizedExample } from './tokenized';

export interface CollateCausalLmOptions {
  /** token id of the padding (the tokenizer's `padTokenId`) */
  padTokenId: number;
  /** the longest an example may be; default no limit */
  maxLength?: number;
  /** cut examples longer than `maxLength` to their first `maxLength` tokens (default false: such an example is an error) */
  truncation?: boolean;
  /** where the padding goes (default 'right'; 'left' for batched generation) */
  paddingSide?: 'right' | 'left';
  /** pad the batch length up to a multiple of this (tensor-core friendly shapes) */
  padToMultipleOf?: number;
  /** also return `positionIds` (0, 1, … over each row's real tokens; 1 on padding, as transformers' generate) */
  returnPositionIds?: boolean;
}

/** A padded causal-LM batch, `[B, T]` int32 tensors with transformers' names in camelCase. */
export interface CausalLmBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** the examples' labels (their ids when they have none), −100 on padding */
  labels: tf.Tensor2D;
  positionIds?: tf.Tensor2D;
}

const WHERE = 'collateCausalLm';

/**
 * Pads tokenized causal-LM examples (from `formatChat`, or any `{ inputIds, labels? }`) to the
 * longest in the batch: padding ids `padTokenId`, attention mask 0 and labels −100 there, on
 * `paddingSide`, as transformers' `DataCollatorForSeq2Seq(label_pad_token_id=-100)`. The model
 * shifts the labels itself (position t predicts label t+1).
 */
export function collateCausalLm(examples: readonly TokenizedExample[], options: CollateCausalLmOptions): CausalLmBatch {
  if (options === null || typeof options !== 'object') throw new CausalLmInputError(WHERE, null, 'options', `expected { padTokenId, … }, got ${JSON.stringify(options)}`);
  const padId = checkInt(WHERE, 'padTokenId', options.padTokenId, 0);
  const maxLength = options.maxLength === undefined ? Infinity : checkInt(WHERE, 'maxLength', options.maxLength, 1);
  const multiple = options.padToMultipleOf === undefined ? 1 : checkInt(WHERE, 'padToMultipleOf', options.padToMultipleOf, 1);
  const side = options.paddingSide ?? 'right';
  if (side !== 'right' && side !== 'left') throw new CausalLmInputError(WHERE, null, 'paddingSide', `expected 'right' or 'left', got ${JSON.stringify(side)}`);
  const allLabels = checkTokenized(WHERE, examples);
  const rows = examples.map((ex, i) => {
    let ids = ex.inputIds;
    let labels = allLabels[i]!;
    if (ids.length > maxLength) {
      if (!options.truncation) {
        throw new CausalLmInputError(WHERE, i, 'inputIds', `expected at most maxLength = ${maxLength} tokens, got ${ids.length} (pass truncation: true to cut it)`);
      }
      ids = ids.slice(0, maxLength);
      labels = labels.slice(0, maxLength);
    }
    return { ids, labels };
  });
  const longest = Math.max(...rows.map((r) => r.ids.length));
  const length = Math.ceil(longest / multiple) * multiple;
  const b = rows.length;
  const ids = new Int32Array(b * length).fill(padId);
  const mask = new Int32Array(b * length);
  const labels = new Int32Array(b * length).fill(IGNORE_INDEX);
  const positions = new Int32Array(b * length).fill(1);
  rows.forEach((r, i) => {
    const start = i * length + (side === 'left' ? length - r.ids.length : 0);
    ids.set(r.ids, start);
    labels.set(r.labels, start);
    for (let t = 0; t < r.ids.length; t++) {
      mask[start + t] = 1;
      positions[start + t] = t;
    }
  });
  const shape: [number, number] = [b, length];
  const out: CausalLmBatch = {
    inputIds: tf.tensor2d(ids, shape, 'int32'),
    attentionMask: tf.tensor2d(mask, shape, 'int32'),
    labels: tf.tensor2d(labels, shape, 'int32'),
  };
  if (options.returnPositionIds) out.positionIds = tf.tensor2d(positions, shape, 'int32');
  return out;
}
