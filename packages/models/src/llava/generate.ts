import * as tf from '@tensorflow/tfjs-core';
import { LlamaKvCache } from '../llama/kv-cache';
import { GenerateOptionsError, resolveGenerateOptions, type LlamaGenerateOptions } from '../llama/generation/options';
import { padPrompts } from '../llama/generation/prompts';
import { beamSearch, greedyOrSample, type PaddedPrompts, type SearchResult, type StepDecoder } from '../llama/generation/search';
import type { LlamaModel } from '../llama/llama-model';
import { llavaPatchesPerImage, type LlavaConfig } from './config';
import { ImageTokenMismatchError, imageTokenPositions, scatterImageFeatures } from './image-tokens';

/** A left-padded batch as a LLaVA processor returns it: the prompts with their image placeholders, and the images. */
export interface LlavaGenerateInputs {
  inputIds: tf.Tensor | number[][];
  attentionMask?: tf.Tensor | number[][] | null;
  /** `[images, C, H, W]`, in the order their placeholders appear (row by row); none for text-only prompts */
  pixelValues?: tf.Tensor | null;
}

/** What decoding needs of a LLaVA model. */
export interface LlavaDecoderModel {
  c: LlavaConfig;
  model: { language_model: LlamaModel; getImageFeatures(pixelValues: tf.Tensor): tf.Tensor };
  lm_head: { forward(x: tf.Tensor): tf.Tensor };
}

/** Placeholders per prompt, checked against the images: their total must be images × positions per image. */
function placeholderCounts(lm: LlavaDecoderModel, padded: PaddedPrompts, images: number): number[] {
  const counts = padded.ids.map((r) => r.filter((t) => t === lm.c.imageTokenId).length);
  const per = llavaPatchesPerImage(lm.c);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== images * per) throw new ImageTokenMismatchError(total, images * per, `${images} image(s) × ${per} positions each; image_token_index ${lm.c.imageTokenId}`);
  return counts;
}

/**
 * A `StepDecoder` over LLaVA: the image features are computed once; the first step (every step
 * without the cache) runs the language model on the token embeddings with the features in the
 * placeholders (each beam of a prompt gets that prompt's features), later steps run the new
 * token alone on the key/value cache. Only the last position goes through `lm_head`.
 */
function llavaDecoder(lm: LlavaDecoderModel, features: tf.Tensor | null, counts: number[], useCache: boolean): StepDecoder {
  const decoder = lm.model.language_model;
  const cache = useCache ? new LlamaKvCache(decoder.layers.length) : null;
  const offsets = counts.map((_, b) => counts.slice(0, b).reduce((a, x) => a + x, 0));
  const embedRows = (ids: number[][]): tf.Tensor => {
    const rows = ids.length;
    const flat = ids.flat();
    const positions = features ? imageTokenPositions(flat, lm.c.imageTokenId) : [];
    const safe = tf.tensor2d(
      flat.map((t) => (positions.length && t === lm.c.imageTokenId ? 0 : t)),
      [rows, ids[0]!.length],
      'int32',
    );
    const text = decoder.embed_tokens.forward(safe);
    if (!features) return text;
    // row r is a beam of prompt ⌊r / beams⌋
    const beams = rows / counts.length;
    const index = Array.from({ length: rows }, (_, r) => {
      const b = Math.floor(r / beams);
      return Array.from({ length: counts[b]! }, (_, i) => offsets[b]! + i);
    }).flat();
    return scatterImageFeatures(text, tf.gather(features, tf.tensor1d(index, 'int32')), positions);
  };
  return {
    async next(ids, mask, positions) {
      const rows = ids.length;
      const total = ids[0]!.length;
      const start = cache ? cache.length : 0;
      const logits = tf.tidy(() => {
        const columns = (m: number[][]) =>
          tf.tensor2d(
            m.flatMap((r) => r.slice(start)),
            [rows, total - start],
            'int32',
          );
        const inputs = { attentionMask: tf.tensor2d(mask.flat(), [rows, total], 'int32'), positionIds: columns(positions), pastKeyValues: cache };
        const { lastHiddenState } = start === 0 ? decoder.forward({ ...inputs, inputsEmbeds: embedRows(ids) }) : decoder.forward({ ...inputs, inputIds: columns(ids) });
        const [, width, hidden] = lastHiddenState.shape as [number, number, number];
        const out = lm.lm_head.forward(tf.slice(lastHiddenState, [0, width - 1, 0], [rows, 1, hidden]));
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

/**
 * transformers' `generate` for LLaVA: the left-padded prompts with their image placeholders, the
 * images' features put in once (the prefill), then the language model's key/value cache one
 * position per new token (or the whole sequence each step with `useCache: false`), greedy,
 * sampling or beam search with Llama's options.
 */
export async function generateLlava(lm: LlavaDecoderModel, inputs: LlavaGenerateInputs, options: LlamaGenerateOptions | undefined, who: string): Promise<SearchResult> {
  const t = lm.c.text;
  const ctx = { who, vocabSize: t.vocabSize, configEos: t.eosTokenId, configPad: t.padTokenId };
  const early = resolveGenerateOptions(options, { ...ctx, promptLength: 0 });
  if (!inputs || typeof inputs !== 'object' || !('inputIds' in inputs))
    throw new GenerateOptionsError(`${who}: "inputs" expected { inputIds, attentionMask?, pixelValues? }, got ${typeof inputs}`);
  const { pixelValues, ...text } = inputs;
  // the placeholder id may lie outside the language model's vocabulary (its embedding is replaced)
  const padded = await padPrompts(text, early.pad, Math.max(t.vocabSize, lm.c.imageTokenId + 1), who);
  const o = resolveGenerateOptions(options, { ...ctx, promptLength: padded.ids[0]!.length });
  o.seed = early.seed;
  const counts = placeholderCounts(lm, padded, pixelValues?.shape[0] ?? 0);
  const features = pixelValues ? tf.tidy(() => tf.reshape(lm.model.getImageFeatures(pixelValues), [-1, t.hiddenSize])) : null;
  const decoder = llavaDecoder(lm, features, counts, o.useCache);
  try {
    return o.numBeams > 1 ? await beamSearch(decoder, padded, o) : await greedyOrSample(decoder, padded, o);
  } finally {
    decoder.dispose();
    features?.dispose();
  }
}
