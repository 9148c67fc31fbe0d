import * as jpeg from 'jpeg-js';
import { decode as decodePng } from 'fast-png';
import { readBytes, type FileLocation } from '@tfjs-peft/core';
import { DataFormatError } from '../errors';

/** A decoded image: interleaved 8-bit pixels (what `ViTImageProcessor.preprocess` takes). */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Uint8Array) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;

/**
 * Decodes JPEG or PNG bytes in pure JavaScript (jpeg-js, fast-png), so the same code runs in Node
 * and in browsers. 16-bit PNGs are reduced to 8 bits, grey+alpha to grey, palettes expanded. A
 * file that is neither, or that fails to decode, is an error naming it.
 */
export function decodeImage(bytes: Uint8Array, name = '<bytes>'): DecodedImage {
  if (isJpeg(bytes)) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 }) as never;
    } catch (e) {
      throw new DataFormatError(name, null, `corrupt JPEG (${(e as Error).message})`);
    }
    const channels = img.data.length / (img.width * img.height);
    if (channels !== 3 && channels !== 1) throw new DataFormatError(name, null, `JPEG decoded to ${channels} channels; expected 1 or 3`);
    return { data: img.data, width: img.width, height: img.height, channels: channels as 1 | 3 };
  }
  if (isPng(bytes)) {
    let png: ReturnType<typeof decodePng>;
    try {
      png = decodePng(bytes);
    } catch (e) {
      throw new DataFormatError(name, null, `corrupt PNG (${(e as Error).message})`);
    }
    let data: Uint8Array;
    let channels = png.channels;
    if (png.palette) {
      const pal = png.palette;
      const src = png.data as Uint8Array;
      channels = pal[0]!.length;
      data = new Uint8Array(png.width * png.height * channels);
      for (let i = 0; i < png.width * png.height; i++) pal[src[i]!]!.forEach((v, k) => (data[i * channels + k] = v));
    } else if (png.depth === 16) {
      data = Uint8Array.from(png.data as Uint16Array, (v) => v >> 8);
    } else if (png.depth === 8) {
      data = png.data as Uint8Array;
    } else {
      throw new DataFormatError(name, null, `PNG bit depth ${png.depth} is not supported; expected 8 or 16`);
    }
    if (channels === 2) {
      // grey + alpha → grey
      const g = new Uint8Array(png.width * png.height);
      for (let i = 0; i < g.length; i++) g[i] = data[2 * i]!;
      data = g;
      channels = 1;
    }
    return { data, width: png.width, height: png.height, channels: channels as 1 | 3 | 4 };
  }
  throw new DataFormatError(name, null, `not a JPEG or PNG file (first bytes ${Array.from(bytes.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'none: the file is empty'})`);
}

/** Reads (path or URL) and decodes an image; a missing file is an error naming it. */
export async function readImage(source: FileLocation): Promise<DecodedImage> {
  let r: { bytes: Uint8Array; label: string };
  try {
    r = await readBytes(source);
  } catch (e) {
    throw new DataFormatError(String(source), null, `cannot read the image (${(e as Error).message.split('\n')[0]})`);
  }
  return decodeImage(r.bytes, r.label);
}
