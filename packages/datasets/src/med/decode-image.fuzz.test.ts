/**
 * Byte-mutation property tests for decodeImage: every mutated file must either decode to a
 * well-formed image or fail with a DataFormatError naming the file — never a TypeError,
 * RangeError or other crash, never a malformed result, never a hang. Outcome counts are logged
 * per parser. `FC_SEED` / `FC_RUNS` override the seed and the number of runs.
 */
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import * as jpeg from 'jpeg-js';
import { encode as encodePng } from 'fast-png';
import { decodeImage, DataFormatError } from '../index';
import { writePng, packRows, writeJpeg, fixPngCrcs } from './test-images';

const SEED = Number(process.env.FC_SEED ?? 20261203);
const RUNS = Number(process.env.FC_RUNS ?? 1500);
const SLOW_MS = 2000;

const grad = (n: number) => new Uint8Array(Array.from({ length: n }, (_, i) => (i * 37) & 255));
const PNG_SEEDS: [string, Uint8Array][] = [
  ['rgb8.png', encodePng({ width: 5, height: 4, channels: 3, data: grad(60) })],
  ['rgba16.png', encodePng({ width: 3, height: 3, channels: 4, depth: 16, data: new Uint16Array(36).map((_, i) => i * 1800) })],
  ['adam7.png', encodePng({ width: 9, height: 7, channels: 1, data: grad(63) }, { interlace: 'Adam7' })],
  [
    'pal2.png',
    writePng({
      width: 5,
      height: 3,
      depth: 2,
      colorType: 3,
      palette: [
        [1, 2, 3],
        [40, 50, 60],
        [7, 8, 9],
      ],
      trns: [0, 200],
      raw: packRows(
        [
          [0, 1, 2, 1, 0],
          [2, 2, 1, 0, 0],
          [1, 0, 2, 2, 1],
        ],
        2,
      ),
    }),
  ],
  [
    'pal8.png',
    writePng({
      width: 4,
      height: 2,
      depth: 8,
      colorType: 3,
      palette: [
        [9, 9, 9],
        [200, 0, 0],
      ],
      raw: packRows(
        [
          [0, 1, 1, 0],
          [1, 0, 0, 1],
        ],
        8,
      ),
    }),
  ],
  [
    'grey1.png',
    writePng({
      width: 11,
      height: 2,
      depth: 1,
      colorType: 0,
      raw: packRows(
        [
          [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1],
          [0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0],
        ],
        1,
      ),
    }),
  ],
  [
    'ga8.png',
    writePng({
      width: 3,
      height: 2,
      depth: 8,
      colorType: 4,
      raw: packRows(
        [
          [1, 2, 3, 4, 5, 6],
          [7, 8, 9, 10, 11, 12],
        ],
        8,
      ),
    }),
  ],
];
const JPEG_SEEDS: [string, Uint8Array][] = [
  ['jpegjs.jpg', new Uint8Array(jpeg.encode({ width: 24, height: 16, data: grad(24 * 16 * 4) }, 80).data)],
  [
    'base.jpg',
    writeJpeg({
      bx: 2,
      by: 2,
      levels: [
        [40, 128, 128],
        [200, 100, 150],
        [128, 128, 128],
        [255, 0, 255],
      ],
    }),
  ],
  [
    'prog.jpg',
    writeJpeg({
      bx: 2,
      by: 1,
      levels: [
        [40, 128, 128],
        [200, 90, 160],
      ],
      progressive: true,
    }),
  ],
  ['grey.jpg', writeJpeg({ bx: 3, by: 1, levels: [[0], [128], [255]] })],
  [
    'cmyk.jpg',
    writeJpeg({
      bx: 2,
      by: 1,
      levels: [
        [255, 0, 0, 255],
        [10, 20, 30, 40],
      ],
      adobe: 0,
    }),
  ],
];

type Outcome = 'clean error' | 'accepted' | 'crash';
const counts: Record<string, Record<Outcome, number>> = {};
const errorKinds: Record<string, Record<string, number>> = {};

/** Decodes and classifies; throws (failing the property) on a crash, a malformed result or a hang. */
function check(parser: string, name: string, bytes: Uint8Array): Outcome {
  const c = (counts[parser] ??= { 'clean error': 0, accepted: 0, crash: 0 });
  const t0 = performance.now();
  let outcome: Outcome;
  let detail = '';
  try {
    const d = decodeImage(bytes, name);
    const ok =
      Number.isInteger(d.width) &&
      d.width > 0 &&
      Number.isInteger(d.height) &&
      d.height > 0 &&
      [1, 3, 4].includes(d.channels) &&
      d.data instanceof Uint8Array &&
      d.data.length === d.width * d.height * d.channels;
    outcome = ok ? 'accepted' : 'crash';
    if (!ok) detail = `malformed result ${d.width}×${d.height}×${d.channels}, ${d.data?.length} bytes`;
  } catch (e) {
    const clean = e instanceof DataFormatError && e.message.startsWith(`${name}: `);
    outcome = clean ? 'clean error' : 'crash';
    if (clean) {
      const kind = e.message
        .slice(name.length + 2)
        .replace(/\(.*$/, '')
        .replace(/\d+/g, 'N')
        .trim();
      (errorKinds[parser] ??= {})[kind] = (errorKinds[parser]![kind] ?? 0) + 1;
    } else detail = `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
  }
  const ms = performance.now() - t0;
  if (ms > SLOW_MS) [outcome, detail] = ['crash', `took ${ms.toFixed(0)} ms`];
  c[outcome]++;
  if (outcome === 'crash') throw new Error(`${parser} ${name}: ${detail}`);
  return outcome;
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), v: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), v: fc.constant(0) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

export function mutate(src: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Array.from(src);
  for (const { op, at, v } of ms) {
    const i = b.length ? at % b.length : 0;
    if (op === 'set') b[i] = v;
    else if (op === 'flip') b[i] = (b[i] ?? 0) ^ (1 << v);
    else if (op === 'insert') b.splice(i, 0, v);
    else if (op === 'delete') b.splice(i, v);
    else b = b.slice(0, i);
  }
  return new Uint8Array(b);
}

const run = (parser: string, seeds: [string, Uint8Array][], post: (b: Uint8Array) => Uint8Array = (b) => b) =>
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (k, ms) => {
      const [name, bytes] = seeds[k]!;
      check(parser, `mut-${name}`, post(mutate(bytes, ms)));
    }),
    { seed: SEED, numRuns: RUNS },
  );

describe(`decodeImage under byte mutations (fast-check, seed ${SEED}, ${RUNS} runs per parser)`, () => {
  it('the unmutated seed files decode', () => {
    for (const [name, b] of [...PNG_SEEDS, ...JPEG_SEEDS]) expect(check('seeds', name, b)).toBe('accepted');
  });
  it('PNG: mutated bytes (CRCs as mutated)', () => run('PNG', PNG_SEEDS), 120_000);
  it('PNG: mutated bytes with every chunk CRC recomputed (reaches IHDR/PLTE/tRNS/IDAT parsing)', () => run('PNG (CRCs fixed)', PNG_SEEDS, fixPngCrcs), 120_000);
  it('JPEG: mutated bytes (baseline, progressive, grey, CMYK seeds)', () => run('JPEG', JPEG_SEEDS), 120_000);
  it(
    'random bytes behind a PNG or JPEG signature',
    () =>
      fc.assert(
        fc.property(fc.boolean(), fc.uint8Array({ maxLength: 200 }), (png, tail) => {
          const head = png ? [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] : [0xff, 0xd8, 0xff];
          check('signature + random', 'noise', new Uint8Array([...head, ...tail]));
        }),
        { seed: SEED, numRuns: RUNS },
      ),
    120_000,
  );
});

afterAll(() => {
  for (const [parser, c] of Object.entries(counts))
    console.log(`[decodeImage mutation counts] ${parser}: clean error ${c['clean error']}, accepted ${c.accepted}, crash ${c.crash}`);
  for (const [parser, k] of Object.entries(errorKinds))
    console.log(
      `[decodeImage error kinds] ${parser}: ${Object.entries(k)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([m, n]) => `${n}× ${m}`)
        .join(' | ')}`,
    );
});
