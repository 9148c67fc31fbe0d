import * as tf from '@tensorflow/tfjs-core';
import { joinPath, readText, resolvePretrained, type FileLocation, type HubOptions } from '@tfjs-peft/core';
import { ConfigError, ConfigReader, type RawConfig } from '../common/config';
import { PIL_RESAMPLE, resizeImage, type ResampleFilter } from '../common/resample';
import type { RgbImage } from '../vit/image-processor';

/** OpenAI CLIP's normalisation (transformers' `OPENAI_CLIP_MEAN` / `OPENAI_CLIP_STD`), the defaults. */
const OPENAI_CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const OPENAI_CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface ClipImageProcessorConfig {
  doResize: boolean;
  /** `size.shortest_edge` (aspect kept, long edge truncated as transformers), or a fixed `{height, width}` */
  size: { shortestEdge: number } | { height: number; width: number };
  resample: ResampleFilter;
  doCenterCrop: boolean;
  cropSize: { height: number; width: number };
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  doConvertRgb: boolean;
}

function triple(c: ConfigReader, key: string, fallback: [number, number, number]): [number, number, number] {
  const v = c.raw[key] ?? fallback;
  const arr = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(arr) || arr.length !== 3 || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ConfigError(`${c.label}: "${key}" expected 3 numbers, got ${JSON.stringify(v)}`);
  }
  return arr as [number, number, number];
}

/** `size` / `crop_size`: an int (transformers 4 configs), `{shortest_edge}` or `{height, width}`. */
function sizeOf(c: ConfigReader, key: string, fallback: unknown, shortestAllowed: boolean): ClipImageProcessorConfig['size'] {
  const v = c.raw[key] ?? fallback;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
  if (ok(v)) return shortestAllowed ? { shortestEdge: v } : { height: v, width: v };
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] != null);
    if (shortestAllowed && keys.length === 1 && ok(o.shortest_edge)) return { shortestEdge: o.shortest_edge };
    if (keys.length === 2 && ok(o.height) && ok(o.width)) return { height: o.height, width: o.width };
  }
  const want = shortestAllowed ? '{"shortest_edge": N} or {"height": H, "width": W}' : '{"height": H, "width": W}';
  throw new ConfigError(`${c.label}: "${key}" expected ${want} with positive integers (longest_edge and max sizes are not implemented), got ${JSON.stringify(v)}`);
}

/**
 * HF `CLIPImageProcessor` from `preprocessor_config.json`: convert to RGB, resize the shortest
 * edge with Pillow's filter (bicubic for CLIP; `common/resample.ts` reproduces Pillow's
 * fixed-point resampler), center crop (zero padding when the image is smaller, as transformers),
 * rescale (1/255) and normalise by the checkpoint's mean/std in float32 as numpy does, and stack
 * to `pixel_values` `[B, 3, crop_height, crop_width]`.
 */
export class CLIPImageProcessor {
  constructor(readonly config: ClipImageProcessorConfig) {}

  static fromConfig(raw: RawConfig, label = 'preprocessor_config.json'): CLIPImageProcessor {
    const c = new ConfigReader(raw, label);
    const code = c.int('resample', 3);
    const resample = PIL_RESAMPLE[code];
    if (!resample) throw new ConfigError(`${label}: "resample" = ${code} is not supported; supported: 0 (nearest), 2 (bilinear), 3 (bicubic)`);
    return new CLIPImageProcessor({
      doResize: c.bool('do_resize', true),
      size: sizeOf(c, 'size', { shortest_edge: 224 }, true),
      resample,
      doCenterCrop: c.bool('do_center_crop', true),
      cropSize: sizeOf(c, 'crop_size', { height: 224, width: 224 }, false) as { height: number; width: number },
      doRescale: c.bool('do_rescale', true),
      rescaleFactor: c.num('rescale_factor', 1 / 255),
      doNormalize: c.bool('do_normalize', true),
      imageMean: triple(c, 'image_mean', OPENAI_CLIP_MEAN),
      imageStd: triple(c, 'image_std', OPENAI_CLIP_STD),
      doConvertRgb: c.bool('do_convert_rgb', true),
    });
  }

  /** From a folder, URL or hub repo id (with the hub options of `fromPretrained`). */
  static async fromPretrained(nameOrPath: FileLocation, options: HubOptions = {}): Promise<CLIPImageProcessor> {
    const dir = await resolvePretrained(nameOrPath, options);
    const { text, label } = await readText(joinPath(dir, 'preprocessor_config.json'));
    let raw: RawConfig;
    try {
      raw = JSON.parse(text) as RawConfig;
    } catch (e) {
      throw new ConfigError(`${label}: not valid JSON (${(e as Error).message})`);
    }
    return CLIPImageProcessor.fromConfig(raw, label);
  }

  /** The resize target `[height, width]` of a `width × height` image (transformers' `get_resize_output_image_size`). */
  resizeTarget(width: number, height: number): [number, number] {
    const s = this.config.size;
    if (!('shortestEdge' in s)) return [s.height, s.width];
    const [short, long] = width <= height ? [width, height] : [height, width];
    const newLong = Math.trunc((s.shortestEdge * long) / short);
    return width <= height ? [newLong, s.shortestEdge] : [s.shortestEdge, newLong];
  }

  /** The float CHW values of one image, before stacking, and their height and width. */
  preprocessOne(image: RgbImage): { data: Float32Array; height: number; width: number } {
    const { width, height, channels } = image;
    if (![1, 3, 4].includes(channels) || image.data.length !== width * height * channels || width < 1 || height < 1) {
      throw new RangeError(`image: expected ${width}×${height}×${channels} bytes (channels 1, 3 or 4), got ${image.data.length}`);
    }
    const p = this.config;
    if (!p.doConvertRgb && channels !== 3) throw new RangeError(`image: ${channels} channels and do_convert_rgb is false; expected RGB (3 channels)`);
    // PIL's convert('RGB'): grey repeated, alpha dropped
    let rgb: Uint8Array = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) for (let k = 0; k < 3; k++) rgb[i * 3 + k] = image.data[i * channels + (channels === 1 ? 0 : k)]!;
    let [w, h] = [width, height];
    if (p.doResize) {
      const [th, tw] = this.resizeTarget(w, h);
      if (th !== h || tw !== w) rgb = resizeImage(rgb, w, h, 3, tw, th, p.resample);
      [w, h] = [tw, th];
    }
    // center crop: top/left = floor((size − crop) / 2); outside the image (a smaller image) is 0
    const [ch, cw] = p.doCenterCrop ? [p.cropSize.height, p.cropSize.width] : [h, w];
    const top = Math.floor((h - ch) / 2);
    const left = Math.floor((w - cw) / 2);
    const out = new Float32Array(3 * ch * cw);
    const f = Math.fround;
    for (let k = 0; k < 3; k++) {
      const mean = f(p.imageMean[k]!);
      const std = f(p.imageStd[k]!);
      for (let y = 0; y < ch; y++) {
        const sy = y + top;
        for (let x = 0; x < cw; x++) {
          const sx = x + left;
          const u8 = sy >= 0 && sy < h && sx >= 0 && sx < w ? rgb[(sy * w + sx) * 3 + k]! : 0;
          // numpy: float64 rescale cast to float32, then float32 (x − mean) / std
          let v = p.doRescale ? f(u8 * p.rescaleFactor) : u8;
          if (p.doNormalize) v = f(f(v - mean) / std);
          out[k * ch * cw + y * cw + x] = v;
        }
      }
    }
    return { data: out, height: ch, width: cw };
  }

  /** `pixel_values` `[B, 3, H, W]` for a batch of images (the crop makes them one size). */
  preprocess(images: RgbImage[]): tf.Tensor4D {
    if (images.length === 0) throw new RangeError('preprocess: no images');
    const one = images.map((im) => this.preprocessOne(im));
    const { height, width } = one[0]!;
    const all = new Float32Array(one.length * 3 * height * width);
    one.forEach((o, i) => {
      if (o.height !== height || o.width !== width)
        throw new RangeError(`preprocess: image ${i} is ${o.width}×${o.height} after resizing and cropping, image 0 is ${width}×${height}`);
      all.set(o.data, i * o.data.length);
    });
    return tf.tensor4d(all, [images.length, 3, height, width]);
  }
}
