import * as tf from '@tensorflow/tfjs-core';
import type { LlamaModel } from '../llama-model';
import { LlamaKvCache } from '../kv-cache';
import type { KeyValuePrefix } from '../../bert/attention';
import type { StepDecoder } from './search';

/**
 * Virtual tokens of a prompt adapter (PEFT's generate with prompt learning): prefix tuning's
 * per-layer keys and values, or prompt tuning's embeddings before the prompt's tokens.
 */
export interface VirtualTokens {
  /**
   * prefix tuning: per-layer keys/values `[1|B, kvHeads, P, headDim]`, put in the cache ahead of the
   * prompt and always visible; the prompt's positions shift by P (PEFT offsets `position_ids`)
   */
  prefixes?: (KeyValuePrefix | null)[] | null;
  /**
   * prompt tuning: `[1|B, P, hidden]` embeddings put before the prompt's token embeddings; positions
   * count every column from 0, left padding included (PEFT drops `position_ids` for prompt tuning)
   */
  promptEmbeds?: tf.Tensor | null;
}

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
export function llamaDecoder(lm: CausalDecoderModel, useCache: boolean, virtual: VirtualTokens = {}): StepDecoder & { readonly cache: LlamaKvCache | null } {
  const cache = useCache ? new LlamaKvCache(lm.model.layers.length) : null;
  const prefixes = virtual.prefixes ?? null;
  const embeds = virtual.promptEmbeds ?? null;
  const p = prefixes?.find((x) => x != null)?.key.shape[2] ?? embeds?.shape[1] ?? 0;
  const expand = (t: tf.Tensor, rows: number) => (t.shape[0] === rows ? tf.clone(t) : tf.broadcastTo(t, [rows, ...t.shape.slice(1)]));
  let seeded = false;
  return {
    cache,
    async next(ids, mask, positions) {
      const rows = ids.length;
      const total = ids[0]!.length;
      if (cache && prefixes && !seeded) {
        // prefix tuning with a cache: the prefixes are its first P positions (PEFT's prompt injection)
        prefixes.forEach((x, i) => {
          if (!x) return;
          const [k, v] = tf.tidy(() => [expand(x.key, rows), expand(x.value, rows)]);
          cache.update(i, k!, v!);
          tf.dispose([k!, v!]);
        });
        seeded = true;
      }
      const seen = cache ? cache.length : 0;
      // the prompt's own positions already cached (the virtual ones are not in `ids`)
      const start = cache ? (seen === 0 ? 0 : seen - p) : 0;
      const t = total - start;
      const logits = tf.tidy(() => {
        const fromStart = (r: number[]) => r.slice(start);
        const columns = (rowsOf: number[][]) => tf.tensor2d(rowsOf.flatMap(fromStart), [rows, t], 'int32');
        const ones = Array.from({ length: p }, () => 1);
        let inputs: Record<string, unknown>;
        if (prefixes) {
          // positions shifted by P; with a cache the mask covers the P cached prefix positions too
          const shifted = positions.map((r) => r.map((x) => x + p));
          inputs = {
            inputIds: columns(ids),
            positionIds: columns(shifted),
            attentionMask: tf.tensor2d(cache ? mask.flatMap((m) => [...ones, ...m]) : mask.flat(), [rows, cache ? p + total : total], 'int32'),
            ...(cache ? {} : { prefixes }),
          };
        } else if (embeds) {
          // every column counts from 0 (PEFT passes no position ids for prompt tuning)
          const all = Array.from({ length: p + total }, (_, i) => i);
          const prefill = !cache || start === 0;
          const width = prefill ? p + total : t;
          const pos = tf.tensor2d(Array.from({ length: rows }, () => all.slice(p + total - width)).flat(), [rows, width], 'int32');
          const attentionMask = tf.tensor2d(
            mask.flatMap((m) => [...ones, ...m]),
            [rows, p + total],
            'int32',
          );
          inputs = prefill
            ? { inputsEmbeds: tf.concat([expand(embeds, rows), lm.model.embed_tokens.forward(columns(ids))], 1), positionIds: pos, attentionMask }
            : { inputIds: columns(ids), positionIds: pos, attentionMask };
        } else {
          inputs = { inputIds: columns(ids), attentionMask: tf.tensor2d(mask.flat(), [rows, total], 'int32'), positionIds: columns(positions) };
        }
        const { lastHiddenState } = lm.model.forward({ ...inputs, pastKeyValues: cache });
        const hidden = lastHiddenState.shape[2]!;
        const width = lastHiddenState.shape[1]!;
        const last = tf.slice(lastHiddenState, [0, width - 1, 0], [rows, 1, hidden]);
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
