import * as tf from '@tensorflow/tfjs-core';
import { joinPath, readText, resolvePretrained, type FileLocation, type HubOptions } from '@tfjs-peft/core';
import { ConfigError, ConfigReader, type RawConfig } from '../common/config';
import { PIL_RESAMPLE, resizeImage, type ResampleFilter } from '../common/resample';

/** A decoded image: interleaved 8-bit pixels, 1 (grey), 3 (RGB) or 4 (RGBA) channels. */
export interface RgbImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

export interface ImageProcessorConfig {
  doResize: boolean;
  height: number;
  width: number;
  resample: ResampleFilter;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
}

const triple = (c: ConfigReader, raw: RawConfig, key: string, fallback: number[]): [number, number, number] => {
  const v = raw[key] ?? fallback;
  const arr = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(arr) || arr.length !== 3 || !arr.every((x) => typeof x === 'number')) {
    throw new ConfigError(`${c.label}: "${key}" expected 3 numbers, got ${JSON.stringify(v)}`);
  }
  return arr as [number, number, number];
};

/**
 * HF `ViTImageProcessor` / `BlipImageProcessor` from `preprocessor_config.json`: convert to RGB,
 * resize to `size` with Pillow's filter, rescale (1/255), normalise by mean/std, and stack to
 * `pixel_values` `[B, 3, H, W]` float32.
 */
export class ViTImageProcessor {
  constructor(readonly config: ImageProcessorConfig) {}

  static fromConfig(raw: RawConfig, label = 'preprocessor_config.json'): ViTImageProcessor {
    const c = new ConfigReader(raw, label);
    const size = (raw.size ?? { height: 224, width: 224 }) as Record<string, number> | number;
    let height: number;
    let width: number;
    if (typeof size === 'number') height = width = size;
    else if (typeof size.height === 'number' && typeof size.width === 'number') [height, width] = [size.height, size.width];
    else throw new ConfigError(`${label}: "size" must be {height, width} (shortest_edge resizing is not implemented), got ${JSON.stringify(size)}`);
    const code = c.int('resample', 2);
    const resample = PIL_RESAMPLE[code];
    if (!resample) throw new ConfigError(`${label}: "resample" = ${code} is not supported; supported: 0 (nearest), 2 (bilinear), 3 (bicubic)`);
    return new ViTImageProcessor({
      doResize: c.bool('do_resize', true),
      height,
      width,
      resample,
      doRescale: c.bool('do_rescale', true),
      rescaleFactor: c.num('rescale_factor', 1 / 255),
      doNormalize: c.bool('do_normalize', true),
      imageMean: triple(c, raw, 'image_mean', [0.5, 0.5, 0.5]),
      imageStd: triple(c, raw, 'image_std', [0.5, 0.5, 0.5]),
    });
  }

  /** From a folder, URL or hub repo id (with the hub options of `fromPretrained`). */
  static async fromPretrained(nameOrPath: FileLocation, options: HubOptions = {}): Promise<ViTImageProcessor> {
    const dir = await resolvePretrained(nameOrPath, options);
    const { text, label } = await readText(joinPath(dir, 'preprocessor_config.json'));
    let raw: RawConfig;
    try {
      raw = JSON.parse(text) as RawConfig;
    } catch (e) {
      throw new ConfigError(`${label}: not valid JSON (${(e as Error).message})`);
    }
    return ViTImageProcessor.fromConfig(raw, label);
  }

  /** The float CHW values of one image, before stacking. */
  preprocessOne(image: RgbImage): Float32Array {
    const { width, height, channels } = image;
    if (![1, 3, 4].includes(channels) || image.data.length !== width * height * channels) {
      throw new RangeError(`image: expected ${width}×${height}×${channels} bytes (channels 1, 3 or 4), got ${image.data.length}`);
    }
    // to RGB (grey repeated, alpha dropped), as PIL's convert('RGB')
    let rgb: Uint8Array = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = image.data[i * channels + (channels === 1 ? 0 : c)]!;
    const { config: p } = this;
    let [w, h] = [width, height];
    if (p.doResize && (w !== p.width || h !== p.height)) {
      rgb = resizeImage(rgb, w, h, 3, p.width, p.height, p.resample);
      [w, h] = [p.width, p.height];
    }
    const out = new Float32Array(3 * w * h);
    for (let c = 0; c < 3; c++) {
      const mean = p.doNormalize ? p.imageMean[c]! : 0;
      const std = p.doNormalize ? p.imageStd[c]! : 1;
      for (let i = 0; i < w * h; i++) {
        const v = rgb[i * 3 + c]! * (p.doRescale ? p.rescaleFactor : 1);
        out[c * w * h + i] = (v - mean) / std;
      }
    }
    return out;
  }

  /** `pixel_values` `[B, 3, H, W]` for a batch of images (resizing makes them one size). */
  preprocess(images: RgbImage[]): tf.Tensor4D {
    if (images.length === 0) throw new RangeError('preprocess: no images');
    const arrays = images.map((im) => this.preprocessOne(im));
    const { height, width } = this.config.doResize ? this.config : images[0]!;
    const all = new Float32Array(arrays.length * 3 * height * width);
    arrays.forEach((a, i) => {
      if (a.length !== 3 * height * width) throw new RangeError(`preprocess: image ${i} has another size than image 0 and do_resize is false`);
      all.set(a, i * a.length);
    });
    return tf.tensor4d(all, [images.length, 3, height, width]);
  }
}
