/**
 * Image resizing that reproduces Pillow's `Image.resize` for 8-bit images, which Hugging Face
 * image processors use: separable convolution with the filter widened by the scale factor when
 * shrinking (antialiasing), fixed-point coefficients (22 fraction bits) and a uint8 rounding
 * between the horizontal and the vertical pass. tfjs's resizeBilinear does not antialias, so
 * its results differ from the processor's by up to tens of grey levels.
 *
 * Written from the description of Pillow's algorithm (libImaging/Resample.c); no code copied.
 */
export type ResampleFilter = 'nearest' | 'bilinear' | 'bicubic';

/** Pillow's numeric codes in preprocessor_config.json `resample`. */
export const PIL_RESAMPLE: Record<number, ResampleFilter> = { 0: 'nearest', 2: 'bilinear', 3: 'bicubic' };

const PRECISION_BITS = 32 - 8 - 2;

const filters: Record<Exclude<ResampleFilter, 'nearest'>, { support: number; f: (x: number) => number }> = {
  bilinear: {
    support: 1,
    f: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
  },
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

interface Coeffs {
  bounds: Int32Array; // [xmin, count] per output pixel
  kk: Int32Array; // fixed-point weights, ksize per output pixel
  ksize: number;
}

function precompute(inSize: number, outSize: number, filter: ResampleFilter): Coeffs {
  const { support: base, f } = filters[filter as Exclude<ResampleFilter, 'nearest'>];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = base * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < count; x++) {
      w[x] = f((x + xmin - center + 0.5) * ss);
      total += w[x]!;
    }
    for (let x = 0; x < count; x++) {
      const k = total !== 0 ? w[x]! / total : 0;
      kk[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * (1 << PRECISION_BITS)) : Math.trunc(0.5 + k * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = count;
  }
  return { bounds, kk, ksize };
}

const clip8 = (v: number) => {
  const x = Math.floor(v / 2 ** PRECISION_BITS);
  return x < 0 ? 0 : x > 255 ? 255 : x;
};

/**
 * Resizes an interleaved 8-bit image (`channels` per pixel) to `outW × outH` like Pillow.
 * Returns a new Uint8Array of `outW·outH·channels`.
 */
export function resizeImage(data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number, outW: number, outH: number, filter: ResampleFilter): Uint8Array {
  if (data.length !== width * height * channels) {
    throw new RangeError(`resizeImage: ${data.length} bytes do not hold a ${width}×${height}×${channels} image`);
  }
  if (filter === 'nearest') {
    const out = new Uint8Array(outW * outH * channels);
    for (let y = 0; y < outH; y++) {
      const sy = Math.min(Math.floor((y + 0.5) * (height / outH)), height - 1);
      for (let x = 0; x < outW; x++) {
        const sx = Math.min(Math.floor((x + 0.5) * (width / outW)), width - 1);
        for (let c = 0; c < channels; c++) out[(y * outW + x) * channels + c] = data[(sy * width + sx) * channels + c]!;
      }
    }
    return out;
  }
  let src: Uint8Array | Uint8ClampedArray = data;
  let w = width;
  const half = 1 << (PRECISION_BITS - 1);
  if (outW !== width) {
    const { bounds, kk, ksize } = precompute(width, outW, filter);
    const out = new Uint8Array(outW * height * channels);
    for (let y = 0; y < height; y++)
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[xx * 2]!;
        const count = bounds[xx * 2 + 1]!;
        for (let c = 0; c < channels; c++) {
          let ss = half;
          for (let x = 0; x < count; x++) ss += src[(y * w + x + xmin) * channels + c]! * kk[xx * ksize + x]!;
          out[(y * outW + xx) * channels + c] = clip8(ss);
        }
      }
    src = out;
    w = outW;
  }
  if (outH !== height) {
    const { bounds, kk, ksize } = precompute(height, outH, filter);
    const out = new Uint8Array(w * outH * channels);
    for (let yy = 0; yy < outH; yy++) {
      const ymin = bounds[yy * 2]!;
      const count = bounds[yy * 2 + 1]!;
      for (let x = 0; x < w; x++)
        for (let c = 0; c < channels; c++) {
          let ss = half;
          for (let y = 0; y < count; y++) ss += src[((y + ymin) * w + x) * channels + c]! * kk[yy * ksize + y]!;
          out[(yy * w + x) * channels + c] = clip8(ss);
        }
    }
    src = out;
  }
  return src === data ? Uint8Array.from(data) : (src as Uint8Array);
}
