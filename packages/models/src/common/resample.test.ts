import { describe, it, expect } from 'vitest';
import { resizeImage } from './resample';

// A 13×9 RGB test image; the expected values were produced by Pillow 12.3 `Image.resize`
// (resample=2 bilinear, 3 bicubic) on the same pixels, i.e. what HF image processors compute.
const [W, H] = [13, 9];
const img = new Uint8Array(W * H * 3);
for (let y = 0; y < H; y++)
  for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3;
    img[i] = (x * 37 + y * 11) % 256;
    img[i + 1] = (x * x + 3 * y) % 256;
    img[i + 2] = (((255 - x * 13 + y * y * 5) % 256) + 256) % 256;
  }

describe('resizeImage reproduces Pillow', () => {
  it('bilinear 13×9 → 5×4 (antialiased downscale)', () => {
    expect(Array.from(resizeImage(img, W, H, 3, 5, 4, 'bilinear'))).toEqual([
      48, 4, 178, 133, 14, 216, 151, 39, 183, 73, 78, 149, 158, 122, 119, 70, 11, 64, 155, 21, 134, 150, 46, 177, 95, 85, 183, 180, 129, 158, 96, 17, 122, 178, 27, 95, 101, 52, 82,
      121, 91, 109, 200, 135, 155, 118, 24, 150, 172, 34, 134, 78, 59, 173, 143, 98, 147, 166, 142, 117,
    ]);
  });
  it('bicubic 13×9 → 5×4', () => {
    expect(Array.from(resizeImage(img, W, H, 3, 5, 4, 'bicubic'))).toEqual([
      39, 3, 183, 140, 13, 228, 153, 38, 185, 62, 77, 146, 163, 126, 113, 63, 9, 46, 164, 19, 133, 152, 44, 184, 86, 83, 192, 188, 132, 160, 89, 17, 128, 189, 27, 87, 98, 52, 67,
      112, 91, 102, 211, 140, 158, 117, 23, 152, 180, 33, 134, 66, 58, 184, 147, 97, 148, 165, 146, 112,
    ]);
  });
  it('bicubic 13×9 → 8×9 (one axis only) and the upscale 20×17 (checksums)', () => {
    const out = resizeImage(img, W, H, 3, 8, 9, 'bicubic');
    expect(Array.from(out.slice(0, 24))).toEqual([12, 0, 251, 71, 4, 230, 132, 13, 209, 203, 27, 188, 73, 47, 166, 46, 71, 145, 117, 102, 124, 176, 136, 103]);
    const sums = (a: Uint8Array) => [a.reduce((s, v) => s + v, 0), a.reduce((s, v, i) => s + v * i, 0)];
    expect(sums(resizeImage(img, W, H, 3, 20, 17, 'bilinear'))).toEqual([112626, 58233224]);
    expect(sums(resizeImage(img, W, H, 3, 20, 17, 'bicubic'))).toEqual([112684, 58225170]);
  });
  it('rejects a buffer of the wrong size', () => {
    expect(() => resizeImage(img, W + 1, H, 3, 4, 4, 'bilinear')).toThrow(/do not hold a 14×9×3 image/);
  });
});
