import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, rawToTypedArray } from '@tfjs-peft/core';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
// the decoder @tfjs-peft/datasets uses (jpeg-js); models cannot depend on datasets (datasets depends on models)
import { decodeImage } from '../../../datasets/src/med/decode-image';
import { SHARED_DIR } from '../testing/golden';
import { ConfigError } from '../common/config';
import { CLIPImageProcessor } from './index';
import type { RgbImage } from '../vit/image-processor';

/** `scripts/make_golden.py`: transformers 5's CLIPImageProcessorPil (Pillow 9.4) on generated and real images. */
const CASE = fileURLToPath(new URL('./golden/clip-processor', import.meta.url));
const VQA_RAD = resolve(SHARED_DIR, 'data/vqa_rad/images');
const hasJpegs = existsSync(VQA_RAD);

interface Cases {
  configs: Record<string, Record<string, unknown>>;
  jpeg_config: Record<string, unknown>;
  jpegs: string[];
  decoder_max_abs_diff: Record<string, number>;
}

async function load() {
  const cases = JSON.parse(await readFile(join(CASE, 'cases.json'), 'utf8')) as Cases;
  const read = async (f: string) => {
    const file = await readSafetensors(join(CASE, f));
    return new Map([...file.tensors].map(([k, raw]) => [k, { data: rawToTypedArray(raw, k), shape: raw.shape }]));
  };
  return { cases, inputs: await read('inputs.safetensors'), outputs: await read('outputs.safetensors') };
}

const imageOf = (t: { data: ArrayLike<number>; shape: number[] }): RgbImage => ({
  data: Uint8Array.from(t.data),
  height: t.shape[0]!,
  width: t.shape[1]!,
  channels: (t.shape[2] ?? 1) as 1 | 3,
});

async function compare(p: CLIPImageProcessor, image: RgbImage, ref: { data: ArrayLike<number>; shape: number[] }, what: string, atol: number): Promise<number> {
  const t = p.preprocess([image]);
  expect(t.shape, what).toEqual(ref.shape);
  const err = assertClose(await t.data(), ref.data as Float32Array, what, { atol, rtol: 0 });
  t.dispose();
  return err;
}

describe("CLIPImageProcessor against transformers' CLIPImageProcessor (Pillow backend)", () => {
  beforeAll(() => useBackend('cpu'));

  it('generated RGB and grey images (committed): shortest-edge bicubic down and up, non-square crop, zero padding — to 1e-5 (measured: exact)', async () => {
    const { cases, inputs, outputs } = await load();
    let worst = 0;
    for (const [name, cfg] of Object.entries(cases.configs)) {
      const p = CLIPImageProcessor.fromConfig(cfg);
      for (const img of ['rgb', 'grey']) worst = Math.max(worst, await compare(p, imageOf(inputs.get(`image.${img}`)!), outputs.get(`${name}.${img}`)!, `${name}.${img}`, 1e-5));
    }
    expect(worst).toBe(0); // measured: bit-exact (Pillow's fixed-point resampler, numpy's float32 normalisation)
  });

  it.skipIf(!hasJpegs)('real JPEGs (../shared/data/vqa_rad): the same decoded pixels give transformers’ pixel_values to 1e-5 (measured: exact)', async () => {
    const { cases, outputs } = await load();
    const p = CLIPImageProcessor.fromConfig(cases.jpeg_config);
    for (const name of cases.jpegs) {
      const image = decodeImage(new Uint8Array(await readFile(join(VQA_RAD, name))), name);
      await compare(p, image, outputs.get(`jpeg.${name}.jpegjs`)!, `${name} (jpeg-js pixels)`, 1e-5);
    }
  });

  it.skipIf(!hasJpegs)('real JPEGs end to end: jpeg-js decoding against Pillow’s differs by what the decoders differ by', async () => {
    const { cases, outputs } = await load();
    const p = CLIPImageProcessor.fromConfig(cases.jpeg_config);
    // the decoders differ (4:2:0 chroma upsampling, IDCT rounding): by 1 level on the two small
    // images, by up to 52 levels at sharp edges of the 2321×1384 one (cases.json); after the resize
    // to 64 and the crop that was, measured, 1 level on every image: 1/255/0.2613 = 0.01501
    expect(cases.decoder_max_abs_diff).toEqual({ 'synpic59536.jpg': 1, 'synpic46720.jpg': 1, 'synpic100132.jpg': 52 });
    const ONE_LEVEL = 1 / 255 / 0.26130258 + 1e-5;
    for (const name of cases.jpegs) {
      const image = decodeImage(new Uint8Array(await readFile(join(VQA_RAD, name))), name);
      await compare(p, image, outputs.get(`jpeg.${name}.pil`)!, `${name} (Pillow pixels)`, ONE_LEVEL);
    }
  });

  it('reads transformers 4 int sizes, batches, and rejects what it does not implement by field', async () => {
    const p = CLIPImageProcessor.fromConfig({ size: 8, crop_size: 6 });
    expect(p.config.size).toEqual({ shortestEdge: 8 });
    expect(p.config.cropSize).toEqual({ height: 6, width: 6 });
    expect(p.resizeTarget(20, 10)).toEqual([8, 16]);
    expect(p.resizeTarget(10, 25)).toEqual([20, 8]); // 8·25/10 = 20
    expect(p.resizeTarget(7, 10)).toEqual([11, 8]); // 8·10/7 = 11.43, truncated as int()
    const img = { data: new Uint8Array(10 * 12 * 4).fill(200), width: 10, height: 12, channels: 4 as const };
    const t = p.preprocess([img, img]);
    expect(t.shape).toEqual([2, 3, 6, 6]);
    const v = await t.data();
    expect(v[0]).toBeCloseTo((200 / 255 - 0.48145466) / 0.26862954, 5);
    t.dispose();
    expect(() => CLIPImageProcessor.fromConfig({ size: { shortest_edge: 224, longest_edge: 448 } })).toThrow(ConfigError);
    expect(() => CLIPImageProcessor.fromConfig({ size: { shortest_edge: 224, longest_edge: 448 } })).toThrow(/preprocessor_config\.json: "size" expected/);
    expect(() => CLIPImageProcessor.fromConfig({ crop_size: { shortest_edge: 224 } })).toThrow(/"crop_size" expected \{"height": H, "width": W\}/);
    expect(() => CLIPImageProcessor.fromConfig({ resample: 1 })).toThrow(/"resample" = 1 is not supported/);
    expect(() => CLIPImageProcessor.fromConfig({ image_mean: [0.5, 0.5] })).toThrow(/"image_mean" expected 3 numbers/);
    expect(() => CLIPImageProcessor.fromConfig({ do_convert_rgb: false }).preprocess([img])).toThrow(/4 channels and do_convert_rgb is false/);
    expect(() => p.preprocessOne({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 })).toThrow(/expected 2×2×3 bytes/);
    expect(() => p.preprocess([])).toThrow(/no images/);
  });
});
describe.skipIf(hasJpegs)('CLIPImageProcessor on real JPEGs', () =>
  it.skip(`${VQA_RAD} not found beside the repository (../shared/data/vqa_rad); the real-JPEG checks are skipped`, () => undefined),
);
