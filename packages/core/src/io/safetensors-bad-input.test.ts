import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseSafetensors, serializeSafetensors, rawToTypedArray, SafetensorsError, DTYPE_BYTES, type RawTensor } from '../index';

function fileWithHeader(header: unknown, dataBytes = 0, rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  return out;
}

const valid = () =>
  serializeSafetensors(
    new Map<string, RawTensor>([
      ['w', { dtype: 'F32', shape: [2, 3], bytes: new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer) }],
      ['ids', { dtype: 'I64', shape: [2], bytes: new Uint8Array(BigInt64Array.of(1n, 2n).buffer) }],
      ['h', { dtype: 'F16', shape: [3], bytes: new Uint8Array(6) }],
    ]),
    { format: 'pt' },
  );

describe('safetensors bad input: each problem is a SafetensorsError naming file and tensor', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated below 8 bytes', Uint8Array.of(1, 2, 3), /bad\.st: truncated: 3 bytes/],
    [
      'header length beyond the file',
      (() => {
        const b = valid();
        new DataView(b.buffer).setBigUint64(0, 10n ** 6n, true);
        return b;
      })(),
      /header length 1000000 is beyond the end of the file/,
    ],
    [
      'huge header length (u64)',
      (() => {
        const b = valid();
        new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true);
        return b;
      })(),
      /is beyond the end of the file/,
    ],
    ['non-JSON header', fileWithHeader(null, 0, '{"w": {dtype'), /header is not valid UTF-8 JSON/],
    ['invalid UTF-8', fileWithHeader(null, 0, '\u0000'.repeat(0) + '{}').map((v, i) => (i === 8 ? 0xff : v)), /header is not valid UTF-8 JSON/],
    ['header is an array', fileWithHeader([1, 2]), /header must be a JSON object, got an array/],
    ['unknown dtype', fileWithHeader({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), /tensor "w": unknown dtype "F8_E4M3"; supported: F64, F32/],
    ['negative shape', fileWithHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /tensor "w": shape must be an array of non-negative integers/],
    ['fractional shape', fileWithHeader({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4), /tensor "w": shape must be/],
    ['offsets reversed', fileWithHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), /tensor "w": data_offsets must be \[begin, end\]/],
    ['offsets missing', fileWithHeader({ w: { dtype: 'F32', shape: [1] } }, 4), /tensor "w": data_offsets must be/],
    [
      'offsets outside the data',
      fileWithHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4),
      /tensor "w": data_offsets \[0, 8\] are outside the data section \(4 bytes; file truncated\?\)/,
    ],
    [
      'shape × dtype ≠ byte length',
      fileWithHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8),
      /tensor "w": 8 bytes of data, but shape \[3\] × F32 \(4 bytes\) needs 12/,
    ],
    [
      'overlapping tensors',
      fileWithHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12),
      /tensor "b" overlaps tensor "a"/,
    ],
    ['entry not an object', fileWithHeader({ w: 3 }), /tensor "w": entry must be an object/],
    ['metadata not strings', fileWithHeader({ __metadata__: { a: 1 } }), /__metadata__\.a must be a string/],
  ];
  for (const [what, bytes, re] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        parseSafetensors(bytes, 'bad.st');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SafetensorsError);
      expect((err as SafetensorsError).code).toBe('SAFETENSORS_INVALID');
      expect((err as Error).message).toMatch(/^bad\.st: /);
      expect((err as Error).message).toMatch(re);
    });
  }

  const check = (bytes: Uint8Array) => {
    try {
      const f = parseSafetensors(bytes, 'fuzz.st');
      // whatever parses must be self-consistent
      for (const [name, t] of f.tensors) {
        expect(t.bytes.byteLength).toBe(t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]);
        try {
          rawToTypedArray(t, name);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError); // only I64 beyond int32
        }
      }
    } catch (e) {
      expect(e).toBeInstanceOf(SafetensorsError);
    }
  };

  it('fuzz: byte flips, truncations and extensions never crash or yield inconsistent tensors', () => {
    const base = valid();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat(base.length), { nil: undefined }),
        fc.uint8Array({ maxLength: 16 }),
        (flips, cut, extra) => {
          let b = base.slice();
          for (const [i, v] of flips) b[i] = v;
          if (cut !== undefined) b = b.slice(0, cut);
          const c = new Uint8Array(b.length + extra.length);
          c.set(b);
          c.set(extra, b.length);
          check(c);
        },
      ),
      { numRuns: 3000, seed: 12345 },
    );
  });

  it('fuzz: arbitrary JSON headers never crash the reader', () => {
    const entry = fc.record(
      {
        dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'I64', 'BOOL', 'X'), fc.anything()),
        shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }), fc.anything()),
        data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -4, max: 80 }), fc.integer({ min: -4, max: 80 })), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(entry, fc.anything())), fc.nat(64), (header, dataBytes) => {
        check(fileWithHeader(header, dataBytes));
      }),
      { numRuns: 3000, seed: 777 },
    );
  });
});
