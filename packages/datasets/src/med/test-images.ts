/**
 * Test-only image writers (not exported from the package): PNG files chunk by chunk (any colour
 * type, bit depth, palette, tRNS, interlace flag, raw scanlines) and tiny JPEGs made of flat 8×8
 * blocks (DC coefficients only), baseline or progressive, with 1, 3 or 4 components and an
 * optional Adobe APP14 segment — the files jpeg-js's encoder and fast-png's encoder cannot write.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export function pngChunk(type: string, data: ArrayLike<number>): number[] {
  const body = new Uint8Array([...Array.from(type, (c) => c.charCodeAt(0)), ...Array.from(data)]);
  return [...be32(data.length), ...body, ...be32(crc32(body))];
}

export interface PngSpec {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace?: number;
  /** scanlines as stored (each starting with its filter byte), before compression */
  raw: ArrayLike<number>;
  palette?: number[][];
  /** tRNS chunk contents */
  trns?: number[];
}

/** Writes a PNG file chunk by chunk (CRCs computed). */
export function writePng(s: PngSpec): Uint8Array {
  const ihdr = [...be32(s.width), ...be32(s.height), s.depth, s.colorType, 0, 0, s.interlace ?? 0];
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...pngChunk('IHDR', ihdr),
    ...(s.palette ? pngChunk('PLTE', s.palette.flat()) : []),
    ...(s.trns ? pngChunk('tRNS', s.trns) : []),
    ...pngChunk('IDAT', deflateSync(new Uint8Array(Array.from(s.raw)))),
    ...pngChunk('IEND', []),
  ]);
}

/** Rows of samples packed at `depth` bits (MSB first), each row prefixed by filter type 0. */
export function packRows(rows: number[][], depth: number): number[] {
  const out: number[] = [];
  for (const row of rows) {
    out.push(0);
    if (depth === 16) {
      for (const v of row) out.push(v >> 8, v & 255);
      continue;
    }
    let acc = 0;
    let n = 0;
    for (const v of row) {
      acc = (acc << depth) | v;
      n += depth;
      if (n === 8) {
        out.push(acc);
        acc = 0;
        n = 0;
      }
    }
    if (n) out.push(acc << (8 - n));
  }
  return out;
}

/** Recomputes every chunk's CRC (so a mutated PNG reaches the decoder instead of failing the CRC). */
export function fixPngCrcs(b: Uint8Array): Uint8Array {
  const out = b.slice();
  let o = 8;
  while (o + 12 <= out.length) {
    const len = ((out[o]! << 24) | (out[o + 1]! << 16) | (out[o + 2]! << 8) | out[o + 3]!) >>> 0;
    if (o + 12 + len > out.length) break;
    const c = be32(crc32(out.subarray(o + 4, o + 8 + len)));
    out.set(c, o + 8 + len);
    o += 12 + len;
  }
  return out;
}

export interface JpegSpec {
  /** blocks across and down (the image is 8·bx × 8·by) */
  bx: number;
  by: number;
  /** per block (raster order), one flat level per component */
  levels: number[][];
  progressive?: boolean;
  /** Adobe APP14 transform code (0: RGB/CMYK as stored, 1: YCbCr, 2: YCCK); omitted: no APP14 */
  adobe?: number;
  /** SOF marker (default 0xc0 baseline, 0xc2 progressive) and precision (default 8), for unsupported-variant tests */
  sof?: number;
  precision?: number;
}

class Bits {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(v: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((v >> i) & 1);
      if (++this.n === 8) this.emit();
    }
  }
  private emit(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.n = 0;
  }
  flush(): number[] {
    while (this.n) this.put(1, 1);
    return this.bytes;
  }
}

/** DC difference: Huffman code = category in 4 bits (a table of 12 four-bit codes), then the magnitude bits. */
function putDc(b: Bits, diff: number): void {
  const cat = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
  b.put(cat, 4);
  if (cat) b.put(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
}

const seg = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 255, ...data];

/** A JPEG of flat 8×8 blocks: all quantisers 1, so a block's DC is 8·(level − 128) and it decodes exactly to `level`. */
export function writeJpeg(s: JpegSpec): Uint8Array {
  const nc = s.levels[0]!.length;
  const comps = Array.from({ length: nc }, (_, i) => i + 1);
  const dc = (blk: number, c: number) => 8 * (s.levels[blk]![c]! - 128);
  const out: number[] = [0xff, 0xd8];
  if (s.adobe != null) out.push(...seg(0xee, [...Array.from('Adobe', (c) => c.charCodeAt(0)), 0, 100, 0, 0, 0, 0, s.adobe]));
  out.push(...seg(0xdb, [0, ...new Array(64).fill(1)]));
  out.push(...seg(s.sof ?? (s.progressive ? 0xc2 : 0xc0), [s.precision ?? 8, 0, 8 * s.by, 0, 8 * s.bx, nc, ...comps.flatMap((id) => [id, 0x11, 0])]));
  out.push(...seg(0xc4, [0x00, 0, 0, 0, 12, ...new Array(12).fill(0), ...Array.from({ length: 12 }, (_, i) => i), 0x10, 1, ...new Array(15).fill(0), 0x00]));
  const blocks = s.bx * s.by;
  const scan = (ids: number[], ss: number, se: number, body: (b: Bits) => void) => {
    out.push(...seg(0xda, [ids.length, ...ids.flatMap((id) => [id, 0x00]), ss, se, 0]));
    const b = new Bits();
    body(b);
    out.push(...b.flush());
  };
  const prev = new Array(nc).fill(0);
  const dcs = (b: Bits, withEob: boolean) => {
    for (let k = 0; k < blocks; k++)
      for (let c = 0; c < nc; c++) {
        putDc(b, dc(k, c) - prev[c]);
        prev[c] = dc(k, c);
        if (withEob) b.put(0, 1); // AC: end of block
      }
  };
  if (!s.progressive) scan(comps, 0, 63, (b) => dcs(b, true));
  else {
    scan(comps, 0, 0, (b) => dcs(b, false));
    for (const id of comps)
      scan([id], 1, 63, (b) => {
        for (let k = 0; k < blocks; k++) b.put(0, 1);
      }); // EOB0 per block
  }
  out.push(0xff, 0xd9);
  return new Uint8Array(out);
}
