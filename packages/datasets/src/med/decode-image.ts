import * as jpeg from 'jpeg-js';
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import { readBytes, type FileLocation } from '@tfjs-peft/core';
import { DataFormatError } from '../errors';

/** A decoded image: interleaved 8-bit pixels (what `ViTImageProcessor.preprocess` takes). */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** The largest image decoded (width × height), as jpeg-js's own `maxResolutionInMP` default. */
export const MAX_IMAGE_PIXELS = 100_000_000;

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const isPng = (b: Uint8Array) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) => b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Decodes JPEG or PNG bytes in pure JavaScript (jpeg-js, fast-png), so the same code runs in Node
 * and in browsers. PNG: every colour type and bit depth of the standard; 16-bit samples are
 * reduced to 8 bits, 1/2/4-bit grey scaled to 0–255, grey+alpha to grey, palettes (any bit depth,
 * with tRNS alpha) expanded to RGB(A). JPEG: baseline and progressive, grey, YCbCr and Adobe
 * CMYK/YCCK (converted to RGB). Everything else — a corrupt or truncated file, a palette index past
 * the palette, interlaced 1/2/4-bit PNGs, 12-bit, lossless or arithmetic-coded JPEGs, images over
 * {@link MAX_IMAGE_PIXELS} — is a `DataFormatError` naming the file and the reason.
 */
export function decodeImage(bytes: Uint8Array, name = '<bytes>'): DecodedImage {
  if (isJpeg(bytes)) return decodeJpegImage(bytes, name);
  if (isPng(bytes)) return decodePngImage(bytes, name);
  throw new DataFormatError(
    name,
    null,
    `not a JPEG or PNG file (first bytes ${Array.from(bytes.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'none: the file is empty'})`,
  );
}

function checkSize(name: string, kind: string, width: number, height: number): void {
  if (width === 0 || height === 0) throw new DataFormatError(name, null, `${kind} has zero width or height (${width}×${height})`);
  if (width * height > MAX_IMAGE_PIXELS) throw new DataFormatError(name, null, `${kind} is ${width}×${height}, over the ${MAX_IMAGE_PIXELS / 1e6} megapixel limit`);
}

const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

function decodePngImage(bytes: Uint8Array, name: string): DecodedImage {
  // the header is checked here, before fast-png allocates anything from it
  if (bytes.length < 33 || PNG_SIGNATURE.some((v, i) => bytes[i] !== v)) throw new DataFormatError(name, null, 'corrupt PNG (bad signature or truncated header)');
  if (u32(bytes, 8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR')
    throw new DataFormatError(name, null, 'corrupt PNG (the first chunk is not a 13-byte IHDR)');
  const [width, height, depth, colorType, interlace] = [u32(bytes, 16), u32(bytes, 20), bytes[24]!, bytes[25]!, bytes[28]!];
  checkSize(name, 'PNG', width, height);
  const depths = PNG_DEPTHS[colorType];
  if (!depths) throw new DataFormatError(name, null, `corrupt PNG (colour type ${colorType}; expected 0, 2, 3, 4 or 6)`);
  if (!depths.includes(depth))
    throw new DataFormatError(name, null, `corrupt PNG (bit depth ${depth} is not allowed with colour type ${colorType}; allowed: ${depths.join(', ')})`);
  if (interlace > 1) throw new DataFormatError(name, null, `corrupt PNG (interlace method ${interlace})`);
  if (interlace === 1 && depth < 8)
    throw new DataFormatError(name, null, `interlaced (Adam7) PNG with ${depth}-bit samples is not supported (fast-png cannot unpack it); re-save it non-interlaced or at 8 bits`);
  let png: ReturnType<typeof decodePng>;
  let data: Uint8Array;
  let channels: number;
  try {
    png = decodePng(bytes, { checkCrc: true });
    if (png.width !== width || png.height !== height || png.depth !== depth) throw new Error('header changed while decoding');
    if (colorType === 3) {
      const pal = png.palette;
      if (!pal?.length) throw new Error('colour type 3 (palette) without a PLTE chunk');
      channels = pal[0]!.length;
      if ((channels !== 3 && channels !== 4) || pal.some((c) => c.length !== channels)) throw new Error('malformed palette or tRNS chunk');
      // fast-png's own conversion unpacks 1/2/4-bit indices and rejects an index past the palette
      try {
        data = convertIndexedToRgb(png);
      } catch (e) {
        throw new Error(/index of palette/i.test(why(e)) ? `a pixel's palette index is past the ${pal.length}-colour palette` : why(e));
      }
    } else if (depth < 8) {
      // 1/2/4-bit grey: a grey ramp as the "palette" lets fast-png unpack and scale the samples
      const top = (1 << depth) - 1;
      data = convertIndexedToRgb({ ...png, palette: Array.from({ length: top + 1 }, (_, v) => [Math.round((v * 255) / top)]) });
      channels = 1;
    } else {
      data = depth === 16 ? Uint8Array.from(png.data as Uint16Array, (v) => v >> 8) : (png.data as Uint8Array);
      channels = png.channels;
    }
  } catch (e) {
    throw new DataFormatError(name, null, `corrupt PNG (${why(e)})`);
  }
  if (data.length !== width * height * channels) throw new DataFormatError(name, null, `corrupt PNG (decoded ${data.length} bytes for ${width}×${height}×${channels})`);
  if (channels === 2) {
    // grey + alpha → grey
    const g = new Uint8Array(width * height);
    for (let i = 0; i < g.length; i++) g[i] = data[2 * i]!;
    data = g;
    channels = 1;
  }
  return { data, width, height, channels: channels as 1 | 3 | 4 };
}

interface JpegFrame {
  marker: number;
  precision: number;
  width: number;
  height: number;
  components: number;
  adobe: boolean;
}

/** The frame header (SOFn) and whether an Adobe APP14 segment precedes it; null when none is found. */
function jpegFrame(b: Uint8Array): JpegFrame | null {
  let adobe = false;
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return null;
    const m = b[o + 1]!;
    if (m === 0xff) {
      o++;
      continue;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) {
      o += 2;
      continue;
    }
    if (m === 0xd9 || m === 0xda) return null;
    const len = u16(b, o + 2);
    if (len < 2) return null;
    if (m === 0xee && len >= 14 && String.fromCharCode(...b.subarray(o + 4, o + 9)) === 'Adobe') adobe = true;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (o + 10 > b.length) return null;
      return { marker: m, precision: b[o + 4]!, height: u16(b, o + 5), width: u16(b, o + 7), components: b[o + 9]!, adobe };
    }
    o += 2 + len;
  }
  return null;
}

function decodeJpegImage(bytes: Uint8Array, name: string): DecodedImage {
  const f = jpegFrame(bytes);
  if (f) {
    if (f.marker !== 0xc0 && f.marker !== 0xc1 && f.marker !== 0xc2) {
      const kind = f.marker === 0xc3 || f.marker === 0xc7 || f.marker === 0xcb || f.marker === 0xcf ? 'lossless' : f.marker >= 0xc9 ? 'arithmetic-coded' : 'hierarchical';
      throw new DataFormatError(name, null, `${kind} JPEG (SOF marker ff${f.marker.toString(16)}) is not supported; expected baseline or progressive Huffman JPEG`);
    }
    if (f.precision !== 8) throw new DataFormatError(name, null, `${f.precision}-bit JPEG is not supported; expected 8-bit samples`);
    checkSize(name, 'JPEG', f.width, f.height);
    if (f.components !== 1 && f.components !== 3 && f.components !== 4)
      throw new DataFormatError(name, null, `JPEG with ${f.components} colour components is not supported; expected 1 (grey), 3 (YCbCr/RGB) or 4 (CMYK)`);
    if (f.components === 4 && !f.adobe) throw new DataFormatError(name, null, 'CMYK JPEG without an Adobe APP14 segment is not supported (its colour transform is unknown)');
  }
  let img: { width: number; height: number; data: Uint8Array };
  try {
    // formatAsRGBA false still writes 3 channels: grey is replicated, CMYK/YCCK converted to RGB
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6 }) as never;
  } catch (e) {
    throw new DataFormatError(name, null, `corrupt JPEG (${why(e)})`);
  }
  const channels = img.width * img.height > 0 ? img.data.length / (img.width * img.height) : 0;
  if (channels !== 3 && channels !== 1) throw new DataFormatError(name, null, `JPEG decoded to ${img.width}×${img.height} with ${channels} channels; expected 1 or 3`);
  return { data: img.data, width: img.width, height: img.height, channels: channels as 1 | 3 };
}

/** Reads (path or URL) and decodes an image; a missing file is an error naming it. */
export async function readImage(source: FileLocation): Promise<DecodedImage> {
  let r: { bytes: Uint8Array; label: string };
  try {
    r = await readBytes(source);
  } catch (e) {
    throw new DataFormatError(String(source), null, `cannot read the image (${why(e).split('\n')[0]})`);
  }
  return decodeImage(r.bytes, r.label);
}
