import * as tf from '@tensorflow/tfjs-core';
import type { LlamaModel } from '../llama-model';
import { LlamaKvCache } from '../kv-cache';
import type { StepDecoder } from './search';

/** What decoding needs of a causal LM: the decoder stack and the head on its last hidden state. */
export interface CausalDecoderModel {
  model: LlamaModel;
  lm_head: { forward(x: tf.Tensor): tf.Tensor };
}

/**
 * A `StepDecoder` over a Llama-family causal LM. With `useCache` (transformers' default) the
 * keys and values of every position stay in a `LlamaKvCache`, so each step runs the new token
 * alone; without it each step reruns the whole sequence. Only the last position goes through
 * `lm_head`.
 */
export function llamaDecoder(lm: CausalDecoderModel, useCache: boolean): StepDecoder & { readonly cache: LlamaKvCache | null } {
  const cache = useCache ? new LlamaKvCache(lm.model.layers.length) : null;
  return {
    cache,
    async next(ids, mask, positions) {
      const rows = ids.length;
      const total = ids[0]!.length;
      const start = cache ? cache.length : 0;
      const t = total - start;
      const logits = tf.tidy(() => {
        const inputIds = tf.tensor2d(
          ids.flatMap((r) => r.slice(start)),
          [rows, t],
          'int32',
        );
        const attentionMask = tf.tensor2d(mask.flat(), [rows, total], 'int32');
        const positionIds = tf.tensor2d(
          positions.flatMap((r) => r.slice(start)),
          [rows, t],
          'int32',
        );
        const { lastHiddenState } = lm.model.forward({ inputIds, attentionMask, positionIds, pastKeyValues: cache });
        const hidden = lastHiddenState.shape[2]!;
        const last = tf.slice(lastHiddenState, [0, t - 1, 0], [rows, 1, hidden]);
        const out = lm.lm_head.forward(last);
        return tf.reshape(out, [rows, out.shape[2]!]);
      });
      const data = (await logits.data()) as Float32Array;
      const v = logits.shape[1]!;
      logits.dispose();
      return Array.from({ length: rows }, (_, r) => data.slice(r * v, (r + 1) * v));
    },
    reorder(rows) {
      cache?.reorder(rows);
    },
    dispose() {
      cache?.dispose();
    },
  };
}
