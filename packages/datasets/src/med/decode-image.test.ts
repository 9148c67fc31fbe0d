import { describe, it, expect } from 'vitest';
import * as jpeg from 'jpeg-js';
import { encode as encodePng } from 'fast-png';
import { decodeImage, DataFormatError } from '../index';
import { writePng, packRows, writeJpeg } from './test-images';

const px = (d: { data: Uint8Array }) => [...d.data];
const rejects = (bytes: Uint8Array, name: string, message: RegExp) => {
  expect(() => decodeImage(bytes, name)).toThrow(DataFormatError);
  expect(() => decodeImage(bytes, name)).toThrow(message);
};
const PAL = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30], ...Array.from({ length: 12 }, (_, i) => [i, i, i])];

describe('PNG: every colour type and bit depth, checked pixel by pixel', () => {
  it.each([1, 2, 4, 8])('%i-bit palette PNG (packed indices, odd width) expands to RGB', (depth) => {
    const n = Math.min(1 << depth, PAL.length);
    const rows = [
      [0, 1, 2 % n],
      [n - 1, 0, 1],
    ];
    // Adam7 (8-bit only) stores a 3×2 image as passes 1, 4, 6 (one pixel each) and 7 (row 1)
    const adam7 = [0, rows[0]![0]!, 0, rows[0]![2]!, 0, rows[0]![1]!, 0, ...rows[1]!];
    for (const interlace of depth === 8 ? [0, 1] : [0]) {
      const d = decodeImage(writePng({ width: 3, height: 2, depth, colorType: 3, palette: PAL.slice(0, n), raw: interlace ? adam7 : packRows(rows, depth), interlace }));
      expect([d.width, d.height, d.channels]).toEqual([3, 2, 3]);
      expect(px(d)).toEqual(rows.flat().flatMap((i) => PAL[i]!));
    }
  });

  it("palette PNG from fast-png's encoder (2-bit) and a palette with tRNS alpha (RGBA out)", () => {
    const pal = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [200, 100, 50],
    ];
    const d = decodeImage(encodePng({ width: 3, height: 2, depth: 2, channels: 1, palette: pal, data: new Uint8Array([0b00011011, 0b11100100]) }));
    expect(px(d)).toEqual([0, 1, 2, 3, 2, 1].flatMap((i) => pal[i]!));
    const t = decodeImage(writePng({ width: 2, height: 1, depth: 8, colorType: 3, palette: pal, trns: [0, 128], raw: [0, 1, 3] }));
    expect(t.channels).toBe(4);
    expect(px(t)).toEqual([4, 5, 6, 128, 200, 100, 50, 255]);
  });

  it('a palette index past the palette, or no palette at all, is a DataFormatError naming the file', () => {
    rejects(
      writePng({ width: 2, height: 1, depth: 8, colorType: 3, palette: PAL.slice(0, 2), raw: [0, 1, 5] }),
      'scan.png',
      /^scan\.png: corrupt PNG \(a pixel's palette index is past the 2-colour palette\)$/,
    );
    rejects(
      writePng({ width: 8, height: 1, depth: 1, colorType: 3, palette: [[0, 0, 0]], raw: [0, 0b01000000] }),
      'one.png',
      /one\.png: corrupt PNG \(a pixel's palette index is past the 1-colour palette\)/,
    );
    rejects(writePng({ width: 2, height: 1, depth: 8, colorType: 3, raw: [0, 0, 0] }), 'nopal.png', /nopal\.png: corrupt PNG \(colour type 3 \(palette\) without a PLTE chunk\)/);
  });

  it.each([
    [1, [0, 1, 1, 0], [0, 255, 255, 0]],
    [2, [0, 1, 2, 3], [0, 85, 170, 255]],
    [4, [0, 5, 10, 15], [0, 85, 170, 255]],
  ])('%i-bit grey scales to 0–255', (depth, samples, expected) => {
    const d = decodeImage(writePng({ width: 4, height: 1, depth: depth as number, colorType: 0, raw: packRows([samples as number[]], depth as number) }));
    expect([d.channels, ...px(d)]).toEqual([1, ...(expected as number[])]);
  });

  it('16-bit grey, RGB, RGBA and grey+alpha keep the high byte; grey+alpha (8 and 16-bit) becomes grey', () => {
    expect(px(decodeImage(writePng({ width: 2, height: 1, depth: 16, colorType: 0, raw: packRows([[0xffff, 0x1234]], 16) })))).toEqual([255, 0x12]);
    const rgb = decodeImage(
      writePng({
        width: 1,
        height: 2,
        depth: 16,
        colorType: 2,
        raw: packRows(
          [
            [0x0100, 0x8000, 0xfffe],
            [1, 2, 0xab00],
          ],
          16,
        ),
      }),
    );
    expect([rgb.channels, ...px(rgb)]).toEqual([3, 1, 0x80, 0xff, 0, 0, 0xab]);
    const rgba = decodeImage(encodePng({ width: 1, height: 1, depth: 16, channels: 4, data: new Uint16Array([0x1000, 0x2000, 0x3000, 0x4000]) }));
    expect([rgba.channels, ...px(rgba)]).toEqual([4, 0x10, 0x20, 0x30, 0x40]);
    const ga = decodeImage(writePng({ width: 3, height: 1, depth: 8, colorType: 4, raw: [0, 10, 255, 20, 0, 30, 128] }));
    expect([ga.channels, ...px(ga)]).toEqual([1, 10, 20, 30]);
    const ga16 = decodeImage(writePng({ width: 2, height: 1, depth: 16, colorType: 4, raw: packRows([[0x7f00, 0xffff, 0x0300, 0]], 16) }));
    expect([ga16.channels, ...px(ga16)]).toEqual([1, 0x7f, 3]);
  });

  it('Adam7-interlaced 8-bit PNG decodes; interlaced 1/2/4-bit and invalid headers are DataFormatErrors with the reason', () => {
    const rgb = new Uint8Array(Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 7) & 255));
    expect(px(decodeImage(encodePng({ width: 5, height: 3, channels: 3, data: rgb }, { interlace: 'Adam7' })))).toEqual([...rgb]);
    rejects(
      writePng({ width: 8, height: 8, depth: 1, colorType: 0, interlace: 1, raw: new Array(64).fill(0) }),
      'il.png',
      /il\.png: interlaced \(Adam7\) PNG with 1-bit samples is not supported/,
    );
    rejects(
      writePng({ width: 1, height: 1, depth: 16, colorType: 3, palette: PAL, raw: [0, 0, 0] }),
      'p16.png',
      /p16\.png: corrupt PNG \(bit depth 16 is not allowed with colour type 3; allowed: 1, 2, 4, 8\)/,
    );
    rejects(writePng({ width: 1, height: 1, depth: 8, colorType: 5, raw: [0, 0] }), 'ct.png', /ct\.png: corrupt PNG \(colour type 5; expected 0, 2, 3, 4 or 6\)/);
    rejects(writePng({ width: 0, height: 1, depth: 8, colorType: 0, raw: [0] }), 'zero.png', /zero\.png: PNG has zero width or height \(0×1\)/);
    rejects(writePng({ width: 100000, height: 100000, depth: 8, colorType: 0, raw: [0] }), 'huge.png', /huge\.png: PNG is 100000×100000, over the 100 megapixel limit/);
    const good = writePng({ width: 1, height: 1, depth: 8, colorType: 0, raw: [0, 7] });
    const badCrc = good.slice();
    badCrc[29] = badCrc[29]! ^ 1; // IHDR's CRC
    rejects(badCrc, 'crc.png', /crc\.png: corrupt PNG \(.*CRC/i);
    rejects(good.slice(0, 30), 'short.png', /short\.png: corrupt PNG \(bad signature or truncated header\)/);
  });
});

describe('JPEG: baseline, progressive, grey, CMYK (hand-made files), unsupported variants named', () => {
  const levels = [
    [40, 128, 128],
    [200, 128, 128],
    [128, 128, 128],
    [255, 128, 128],
  ];
  it('hand-made baseline and progressive YCbCr JPEGs decode to the exact block levels', () => {
    for (const progressive of [false, true]) {
      const d = decodeImage(writeJpeg({ bx: 2, by: 2, levels, progressive }), progressive ? 'prog.jpg' : 'base.jpg');
      expect([d.width, d.height, d.channels]).toEqual([16, 16, 3]);
      for (const [x, y, blk] of [
        [0, 0, 0],
        [15, 0, 1],
        [3, 12, 2],
        [15, 15, 3],
      ] as const) {
        const at = (y * 16 + x) * 3;
        expect(px(d).slice(at, at + 3)).toEqual([levels[blk]![0], levels[blk]![0], levels[blk]![0]]);
      }
    }
    const grey = decodeImage(writeJpeg({ bx: 2, by: 1, levels: [[30], [220]], progressive: true }));
    expect([grey.channels, grey.data[0], grey.data[3 * 15]]).toEqual([3, 30, 220]);
    // jpeg-js's own encoder output still decodes as before
    const j = jpeg.encode({ width: 16, height: 8, data: new Uint8Array(16 * 8 * 4).fill(128) }, 95);
    expect(Math.max(...Array.from(decodeImage(new Uint8Array(j.data)).data, (v) => Math.abs(v - 128)))).toBeLessThanOrEqual(2);
  });

  it('Adobe CMYK (inverted, as Photoshop writes it) converts to RGB; YCCK too; CMYK without APP14 is rejected', () => {
    // stored values are 255 − ink: red = C0 M255 Y255 K0; a 50 % grey = K128
    const cmyk = decodeImage(
      writeJpeg({
        bx: 2,
        by: 1,
        levels: [
          [255, 0, 0, 255],
          [255, 255, 255, 127],
        ],
        adobe: 0,
      }),
      'cmyk.jpg',
    );
    expect(cmyk.channels).toBe(3);
    expect(px(cmyk).slice(0, 3)).toEqual([255, 0, 0]);
    expect(px(cmyk).slice(8 * 3, 8 * 3 + 3)).toEqual([127, 127, 127]);
    // YCCK: the YCC part carries the stored (inverted) C, M, Y, as libjpeg reads it: Y 200 → C ink 200 → R 55
    const ycck = decodeImage(writeJpeg({ bx: 1, by: 1, levels: [[200, 128, 128, 255]], adobe: 2 }), 'ycck.jpg');
    expect(px(ycck).slice(0, 3)).toEqual([55, 55, 55]);
    rejects(writeJpeg({ bx: 1, by: 1, levels: [[255, 0, 0, 255]] }), 'cmyk-plain.jpg', /^cmyk-plain\.jpg: CMYK JPEG without an Adobe APP14 segment is not supported/);
  });

  it('12-bit, lossless, arithmetic-coded and 2-component JPEGs are DataFormatErrors naming file and reason', () => {
    rejects(writeJpeg({ bx: 1, by: 1, levels: [[9]], sof: 0xc1, precision: 12 }), 'deep.jpg', /deep\.jpg: 12-bit JPEG is not supported; expected 8-bit samples/);
    rejects(writeJpeg({ bx: 1, by: 1, levels: [[9]], sof: 0xc3 }), 'ls.jpg', /ls\.jpg: lossless JPEG \(SOF marker ffc3\) is not supported/);
    rejects(writeJpeg({ bx: 1, by: 1, levels: [[9]], sof: 0xc9 }), 'ac.jpg', /ac\.jpg: arithmetic-coded JPEG \(SOF marker ffc9\) is not supported/);
    rejects(writeJpeg({ bx: 1, by: 1, levels: [[9, 9]] }), 'two.jpg', /two\.jpg: JPEG with 2 colour components is not supported/);
    const cut = writeJpeg({ bx: 4, by: 4, levels: new Array(16).fill([1, 128, 128]) });
    rejects(cut.slice(0, cut.length - 12), 'cut.jpg', /cut\.jpg: corrupt JPEG/);
  });
});
