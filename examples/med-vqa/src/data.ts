import * as tf from '@tensorflow/tfjs-core';
import { readImage, type VqaItem } from '@tfjs-peft/datasets';
import type { BertTokenizer } from '@tfjs-peft/models/bert';
import { ViTImageProcessor } from '@tfjs-peft/models/vit';
import { DEC_TOKEN_ID, PAD_TOKEN_ID, SEP_TOKEN_ID } from './model';

/** BLIP's processor settings (CLIP mean/std, bicubic) at the model's image size. */
export function blipProcessor(size: number): ViTImageProcessor {
  return ViTImageProcessor.fromConfig({
    size: { height: size, width: size },
    resample: 3,
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_std: [0.26862954, 0.26130258, 0.27577711],
  });
}

/** Every image the items use, decoded and preprocessed once: `[nImages, 3, S, S]` plus each item's row. */
export async function imageCache(
  items: VqaItem[],
  root: string,
  processor: ViTImageProcessor,
  onProgress?: (done: number, total: number) => void,
): Promise<{ pixels: tf.Tensor4D; index: Map<string, number> }> {
  const names = [...new Set(items.map((i) => i.image))];
  const rows: tf.Tensor4D[] = [];
  for (const [k, n] of names.entries()) {
    const img = await readImage(`${root}/${n}`);
    rows.push(processor.preprocess([img]));
    onProgress?.(k + 1, names.length);
  }
  const pixels = tf.concat(rows, 0) as tf.Tensor4D;
  tf.dispose(rows);
  return { pixels, index: new Map(names.map((n, i) => [n, i])) };
}

export interface VqaBatch {
  pixelValues: tf.Tensor4D;
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  decoderInputIds: tf.Tensor2D;
  decoderAttentionMask: tf.Tensor2D;
  answers: string[];
}

/** Question (≤ 35 tokens, as MISS) and answer (`[DEC] answer [SEP]`, ≤ 10 tokens) tensors for a batch. */
export function vqaBatch(items: VqaItem[], tok: BertTokenizer, cache: { pixels: tf.Tensor4D; index: Map<string, number> }): VqaBatch {
  const q = tok.encodeBatch(
    items.map((i) => i.question),
    { padding: 'longest', truncation: true, maxLength: 35 },
  );
  const ans = items.map((i) => [DEC_TOKEN_ID, ...tok.encode(i.answer.toLowerCase(), null, { addSpecialTokens: false }).inputIds.slice(0, 8), SEP_TOKEN_ID]);
  const t = Math.max(...ans.map((a) => a.length));
  const dec = ans.map((a) => [...a, ...new Array<number>(t - a.length).fill(PAD_TOKEN_ID)]);
  return {
    pixelValues: tf.tidy(() =>
      tf.gather(
        cache.pixels,
        tf.tensor1d(
          items.map((i) => cache.index.get(i.image)!),
          'int32',
        ),
      ),
    ) as tf.Tensor4D,
    inputIds: tf.tensor2d(q.inputIds.flat(), [items.length, q.inputIds[0]!.length], 'int32'),
    attentionMask: tf.tensor2d(q.attentionMask.flat(), [items.length, q.inputIds[0]!.length], 'int32'),
    decoderInputIds: tf.tensor2d(dec.flat(), [items.length, t], 'int32'),
    decoderAttentionMask: tf.tensor2d(dec.map((r) => r.map((v, j) => (j === 0 || v !== PAD_TOKEN_ID ? 1 : 0))).flat(), [items.length, t], 'int32'),
    answers: items.map((i) => i.answer),
  };
}

export const freeBatch = (b: VqaBatch): void => tf.dispose([b.pixelValues, b.inputIds, b.attentionMask, b.decoderInputIds, b.decoderAttentionMask]);
