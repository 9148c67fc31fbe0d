import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@tfjs-peft/core';

/**
 * HF `DynamicCache` for a Llama-family decoder: per layer the keys (after rotary) and values
 * `[B, kvHeads, L, headDim]` of every position run so far. Pass it as `pastKeyValues` and each
 * forward appends its positions; the default positions then continue from `length`, and the
 * `attentionMask` covers the cached positions and the new ones (`[B, length + T]`), as transformers.
 * The cache owns its tensors: `dispose()` frees them.
 */
export class LlamaKvCache {
  private readonly keys: (tf.Tensor | null)[];
  private readonly values: (tf.Tensor | null)[];
  constructor(readonly numLayers: number) {
    this.keys = Array.from({ length: numLayers }, () => null);
    this.values = Array.from({ length: numLayers }, () => null);
  }

  /** HF `get_seq_length()`: the cached positions (of layer 0). */
  get length(): number {
    return this.keys[0]?.shape[2] ?? 0;
  }

  /** the batch rows cached, or null while empty */
  get batch(): number | null {
    return this.keys[0]?.shape[0] ?? null;
  }

  /** layer `i`'s cached keys and values, or null while empty */
  layer(i: number): { key: tf.Tensor; value: tf.Tensor } | null {
    const key = this.keys[i];
    const value = this.values[i];
    return key && value ? { key, value } : null;
  }

  /**
   * HF `Cache.update`: appends layer `i`'s new keys and values `[B, kvHeads, T, headDim]` and
   * returns the whole sequence (owned by the cache; do not dispose them).
   */
  update(i: number, key: tf.Tensor, value: tf.Tensor): { key: tf.Tensor; value: tf.Tensor } {
    if (i < 0 || i >= this.numLayers) throw new ShapeError('past_key_values layer', `0…${this.numLayers - 1}`, [i]);
    const oldKey = this.keys[i];
    const oldValue = this.values[i];
    if (oldKey && (oldKey.shape[0] !== key.shape[0] || oldKey.shape[1] !== key.shape[1] || oldKey.shape[3] !== key.shape[3]))
      throw new ShapeError(`past_key_values[${i}] key`, `[${oldKey.shape[0]}, ${oldKey.shape[1]}, T, ${oldKey.shape[3]}]`, key.shape);
    const nextKey = tf.keep(oldKey ? tf.concat([oldKey, key], 2) : tf.clone(key));
    const nextValue = tf.keep(oldValue ? tf.concat([oldValue!, value], 2) : tf.clone(value));
    oldKey?.dispose();
    oldValue?.dispose();
    this.keys[i] = nextKey;
    this.values[i] = nextValue;
    return { key: nextKey, value: nextValue };
  }

  /** HF `reorder_cache`: row `r` of the cache becomes the old row `rows[r]` (beam search; also expands a batch). */
  reorder(rows: number[]): void {
    const b = this.batch;
    if (b == null) return;
    if (rows.some((r) => !Number.isInteger(r) || r < 0 || r >= b)) throw new ShapeError('reorder rows', `integers in 0…${b - 1}`, [rows.length]);
    const idx = tf.tensor1d(rows, 'int32');
    for (let i = 0; i < this.numLayers; i++) {
      const [k, v] = [this.keys[i]!, this.values[i]!];
      this.keys[i] = tf.gather(k, idx, 0);
      this.values[i] = tf.gather(v, idx, 0);
      tf.dispose([k, v]);
    }
    idx.dispose();
  }

  /** Frees every cached tensor; the cache is empty again. */
  dispose(): void {
    for (let i = 0; i < this.numLayers; i++) {
      this.keys[i]?.dispose();
      this.values[i]?.dispose();
      this.keys[i] = null;
      this.values[i] = null;
    }
  }
}
