import * as tf from '@tensorflow/tfjs-core';
import { CausalLmInputError, checkInt } from './errors';
import { checkTokenized } from './check-tokenized';
import { IGNORE_INDEX, type TokenizedExample } from './tokenized';

export interface PackOptions {
  /** the length of every block */
  blockSize: number;
  /** fills the end of a block the next example does not fit in (labels −100 there) */
  padTokenId: number;
  /** cut an example longer than `blockSize` to its first `blockSize` tokens (default false: an error naming it) */
  truncation?: boolean;
}

/** One packed block: several examples back to back, `blockSize` long. */
export interface PackedBlock {
  inputIds: number[];
  /** each example's labels with −100 at its first token (no loss across a boundary), −100 on padding */
  labels: number[];
  /** 0, 1, … restarting at every example (and at the padding), which marks the boundaries */
  positionIds: number[];
  /** the indices of the examples in the block, in order */
  examples: number[];
}

const WHERE = 'packSequences';

/**
 * Packs tokenized examples into blocks of `blockSize` tokens, in order, greedily: an example goes
 * into the current block when it fits, else the block is closed (its end padded) and a new one
 * starts; no example is split. Inside a block it does what transformers'
 * `DataCollatorWithFlattening` does to a batch: ids concatenated, labels `[-100, ...labels[1:]]` per
 * example (its ids when it has no labels), position ids restarting at 0 per example. There is no
 * attention mask: with `use_cache: false`, `LlamaForCausalLM` (and every model on its decoder)
 * reads the restarts of `positionIds` as sequence boundaries and attends only within each
 * example, so a block's loss and logits are those of its examples run one by one.
 */
export function packSequences(examples: readonly TokenizedExample[], options: PackOptions): PackedBlock[] {
  if (options === null || typeof options !== 'object') throw new CausalLmInputError(WHERE, null, 'options', `expected { blockSize, padTokenId }, got ${JSON.stringify(options)}`);
  const blockSize = checkInt(WHERE, 'blockSize', options.blockSize, 1);
  const padId = checkInt(WHERE, 'padTokenId', options.padTokenId, 0);
  const allLabels = checkTokenized(WHERE, examples);
  const blocks: PackedBlock[] = [];
  let cur: PackedBlock = { inputIds: [], labels: [], positionIds: [], examples: [] };
  const close = () => {
    const pad = blockSize - cur.inputIds.length;
    for (let t = 0; t < pad; t++) {
      cur.inputIds.push(padId);
      cur.labels.push(IGNORE_INDEX);
      cur.positionIds.push(t);
    }
    blocks.push(cur);
    cur = { inputIds: [], labels: [], positionIds: [], examples: [] };
  };
  examples.forEach((ex, i) => {
    let ids = ex.inputIds;
    let labels = allLabels[i]!;
    if (ids.length > blockSize) {
      if (!options.truncation) {
        throw new CausalLmInputError(WHERE, i, 'inputIds', `expected at most blockSize = ${blockSize} tokens, got ${ids.length} (pass truncation: true to cut it)`);
      }
      ids = ids.slice(0, blockSize);
      labels = labels.slice(0, blockSize);
    }
    if (cur.inputIds.length + ids.length > blockSize) close();
    cur.examples.push(i);
    ids.forEach((id, t) => {
      cur.inputIds.push(id);
      cur.labels.push(t === 0 ? IGNORE_INDEX : labels[t]!);
      cur.positionIds.push(t);
    });
  });
  close();
  return blocks;
}

/** Packed blocks as `[B, blockSize]` int32 tensors, with no attention mask (see {@link packSequences}). */
export function collatePacked(blocks: readonly PackedBlock[]): { inputIds: tf.Tensor2D; labels: tf.Tensor2D; positionIds: tf.Tensor2D } {
  if (!Array.isArray(blocks) || blocks.length === 0) throw new CausalLmInputError('collatePacked', null, 'blocks', 'expected at least one packed block');
  const size = blocks[0]!.inputIds.length;
  blocks.forEach((b, i) => {
    for (const k of ['inputIds', 'labels', 'positionIds'] as const) {
      if (!Array.isArray(b[k]) || b[k].length !== size)
        throw new CausalLmInputError('collatePacked', null, `blocks[${i}].${k}`, `expected ${size} values (the first block's length), got ${b[k]?.length}`);
    }
  });
  const shape: [number, number] = [blocks.length, size];
  return {
    inputIds: tf.tensor2d(
      blocks.flatMap((b) => b.inputIds),
      shape,
      'int32',
    ),
    labels: tf.tensor2d(
      blocks.flatMap((b) => b.labels),
      shape,
      'int32',
    ),
    positionIds: tf.tensor2d(
      blocks.flatMap((b) => b.positionIds),
      shape,
      'int32',
    ),
  };
}
