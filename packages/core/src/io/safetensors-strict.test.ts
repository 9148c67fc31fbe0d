import { describe, it, expect } from 'vitest';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseSafetensors, serializeSafetensors, readBytes, readSafetensors, FileReadError, SafetensorsError, DTYPE_BYTES, type RawTensor, type SafetensorsFile } from '../index';
import { findDuplicateJsonKey } from './safetensors';

function file(headerText: string, data: number | Uint8Array = 0): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.byteLength + d.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(d, 8 + json.byteLength);
  return out;
}
const f32 = (name: string, n: number, at: number) => `"${name}":{"dtype":"F32","shape":[${n}],"data_offsets":[${at},${at + 4 * n}]}`;

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('safetensors: as strict as the reference reader', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['gap between tensors', file(`{${f32('a', 1, 0)},${f32('b', 1, 8)}}`, 12), /tensor "b": gap of 4 bytes after tensor "a" \(offsets 4 → 8\)/],
    ['trailing bytes after the last tensor', file(`{${f32('a', 1, 0)}}`, 9), /5 trailing bytes after the last tensor "a"/],
    ['trailing bytes with no tensors', file('{}', 3), /3 trailing bytes after the header \(no tensors\)/],
    ['first offset not 0', file(`{${f32('a', 1, 4)}}`, 8), /tensor "a": the first tensor's data must begin at offset 0, got 4/],
    ['header starts with a space', file(` {${f32('a', 1, 0)}}`, 4), /header must start with "\{"/],
    ['duplicate tensor key', file(`{${f32('a', 1, 0)},${f32('a', 1, 4)}}`, 8), /header has a duplicate key "a"/],
    ['duplicate field inside an entry', file('{"a":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}', 4), /duplicate key "a\.dtype"/],
    ['duplicate metadata key', file('{"__metadata__":{"k":"1","k":"2"}}'), /duplicate key "__metadata__\.k"/],
    ['overlapping ranges', file(`{${f32('a', 2, 0)},${f32('b', 2, 4)}}`, 12), /tensor "b" overlaps tensor "a" \(offsets 4 < 8\)/],
    ['identical ranges', file(`{${f32('a', 1, 0)},${f32('b', 1, 0)}}`, 4), /tensor "b" overlaps tensor "a"/],
    ['header null', file('null'), /header must be a JSON object, got null/],
  ];
  for (const [what, bytes, re] of cases) {
    it(what, () => {
      const err = errorOf(() => parseSafetensors(bytes, 'bad.st'));
      expect(err).toBeInstanceOf(SafetensorsError);
      expect(err.message).toMatch(/^bad\.st: /);
      expect(err.message).toMatch(re);
    });
  }

  it('still accepts valid files: empty tensors anywhere, trailing header spaces, no tensors', () => {
    const zero = '"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}';
    expect([...parseSafetensors(file(`{${f32('a', 1, 0)},${zero}}    `, 4)).tensors.keys()]).toEqual(['a', 'z']);
    expect(parseSafetensors(file('{}')).tensors.size).toBe(0);
    expect(parseSafetensors(file('{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}')).tensors.size).toBe(1);
  });

  it('findDuplicateJsonKey handles escapes, arrays and nesting', () => {
    expect(findDuplicateJsonKey('{"a\\"":1,"b":[{"a":1},{"a":2}],"c":{"x":"\\\\","y":1}}')).toBeNull();
    expect(findDuplicateJsonKey('{"a":{"x":1},"b":{"x":1,"y":[1,{"z":1,"z":2}]}}')).toBe('b.y.z');
    expect(findDuplicateJsonKey('{"\\u0061":1,"a":2}')).toBe('a');
  });

  it('a tensor named "__proto__" is written into the header and read back', () => {
    const bytes = new Uint8Array(Float32Array.of(7).buffer);
    const out = serializeSafetensors(new Map<string, RawTensor>([['__proto__', { dtype: 'F32', shape: [1], bytes }]]));
    const f = parseSafetensors(out, 'proto.st');
    expect([...f.tensors.keys()]).toEqual(['__proto__']);
    expect(Array.from(new Float32Array(f.tensors.get('__proto__')!.bytes.slice().buffer))).toEqual([7]);
    // and a metadata key "__proto__" is a plain key, not a prototype
    const m = parseSafetensors(file('{"__metadata__":{"__proto__":"x"}}'));
    expect(Object.keys(m.metadata)).toEqual(['__proto__']);
  });

  it('a folder path is a FileReadError naming the path, not a bare EISDIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-dir-'));
    try {
      const sub = join(dir, 'model.safetensors');
      await mkdir(sub);
      for (const read of [() => readBytes(sub), () => readSafetensors(sub)]) {
        const err = await read().then(
          () => null,
          (e: Error) => e,
        );
        expect(err).toBeInstanceOf(FileReadError);
        expect(err!.message).toBe(`${sub}: is a folder, not a file`);
        expect((err as FileReadError).code).toBe('FILE_READ');
      }
      const missing = await readBytes(join(dir, 'nope.safetensors')).catch((e: Error) => e);
      expect(missing).toBeInstanceOf(FileReadError);
      expect((missing as Error).message).toBe(`${join(dir, 'nope.safetensors')}: no such file`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Mutation suite: every mutated file is a clean SafetensorsError, or parses to the same tensors
// (accepted-equal), or parses to different but self-consistent tensors (accepted-different: a
// data byte changed, which the format cannot detect). Anything else thrown is a crash.

type Outcome = 'clean error' | 'accepted-equal' | 'accepted-different' | 'crash';

function sameFile(a: SafetensorsFile, b: SafetensorsFile): boolean {
  if (a.tensors.size !== b.tensors.size) return false;
  for (const [k, t] of a.tensors) {
    const u = b.tensors.get(k);
    if (!u || u.dtype !== t.dtype || u.shape.join() !== t.shape.join() || u.bytes.length !== t.bytes.length) return false;
    if (u.bytes.some((v, i) => v !== t.bytes[i])) return false;
  }
  return JSON.stringify(a.metadata) === JSON.stringify(b.metadata);
}

function classify(bytes: Uint8Array, base: SafetensorsFile, crashes: unknown[]): Outcome {
  let f: SafetensorsFile;
  try {
    f = parseSafetensors(bytes, 'mut.st');
  } catch (e) {
    if (e instanceof SafetensorsError && e.message.startsWith('mut.st: ')) return 'clean error';
    crashes.push(e);
    return 'crash';
  }
  let end = 0;
  for (const t of f.tensors.values()) {
    if (t.bytes.byteLength !== t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]) {
      crashes.push(new Error('accepted an inconsistent tensor'));
      return 'crash';
    }
    end += t.bytes.byteLength;
  }
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (end !== bytes.byteLength - 8 - n) {
    crashes.push(new Error('accepted a file whose tensors do not tile the data section'));
    return 'crash';
  }
  return sameFile(f, base) ? 'accepted-equal' : 'accepted-different';
}

const baseBytes = () =>
  serializeSafetensors(
    new Map<string, RawTensor>([
      ['w', { dtype: 'F32', shape: [2, 3], bytes: new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6]).buffer) }],
      ['ids', { dtype: 'I64', shape: [2], bytes: new Uint8Array(BigInt64Array.of(1n, 2n).buffer) }],
      ['h', { dtype: 'F16', shape: [3], bytes: new Uint8Array(6) }],
    ]),
    { format: 'pt' },
  );

describe('safetensors mutation suite (fast-check)', () => {
  it('byte flips, truncations, extensions and header edits: clean error or accepted', () => {
    const base = baseBytes();
    const parsed = parseSafetensors(base);
    const headerLen = Number(new DataView(base.buffer).getBigUint64(0, true));
    const headerText = new TextDecoder().decode(base.subarray(8, 8 + headerLen));
    const data = base.subarray(8 + headerLen);
    const counts: Record<Outcome, number> = { 'clean error': 0, 'accepted-equal': 0, 'accepted-different': 0, crash: 0 };
    const crashes: unknown[] = [];
    const run = (b: Uint8Array) => counts[classify(b, parsed, crashes)]++;

    const byteMutation = fc.record({
      flips: fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat(base.length), { nil: undefined }),
      extra: fc.uint8Array({ maxLength: 12 }),
    });
    fc.assert(
      fc.property(byteMutation, ({ flips, cut, extra }) => {
        let b = base.slice();
        for (const [i, v] of flips) b[i] = v;
        if (cut !== undefined) b = b.slice(0, cut);
        const c = new Uint8Array(b.length + extra.length);
        c.set(b);
        c.set(extra, b.length);
        run(c);
      }),
      { numRuns: 4000, seed: 2026 },
    );

    // header edits: replace a number, a key or a dtype in the JSON text; duplicate an entry
    const numbers = [...headerText.matchAll(/\d+/g)].map((m) => [m.index!, m[0].length] as const);
    const strings = [...headerText.matchAll(/"[^"]*"/g)].map((m) => [m.index!, m[0].length] as const);
    const edit = fc.oneof(
      fc.tuple(fc.constant('num' as const), fc.nat(numbers.length - 1), fc.integer({ min: -2, max: 200 })),
      fc.tuple(
        fc.constant('str' as const),
        fc.nat(strings.length - 1),
        fc.constantFrom('"w"', '"ids"', '"h"', '"F32"', '"I64"', '"BF16"', '"__metadata__"', '"__proto__"', '"data_offsets"', '"shape"', '"x"'),
      ),
      fc.tuple(fc.constant('dup' as const), fc.nat(strings.length - 1), fc.constant('')),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), fc.boolean(), (edits, pad) => {
        let text = headerText;
        for (const [kind, i, v] of edits) {
          const [at, len] = kind === 'num' ? numbers[i]! : strings[i]!;
          if (at + len > text.length) continue;
          if (kind === 'dup') {
            // repeat the top-level entry that begins at this string, if it is one
            const m = /^"[^"]*":\{[^{}]*\},?/.exec(text.slice(at));
            if (m) text = `${text.slice(0, at)}${m[0].endsWith(',') ? m[0] : `${m[0]},`}${text.slice(at)}`;
          } else text = `${text.slice(0, at)}${v}${text.slice(at + len)}`;
        }
        run(file(pad ? `${text}  ` : text, data));
      }),
      { numRuns: 3000, seed: 99 },
    );

    console.log(`[mutation] safetensors: ${JSON.stringify(counts)}`);
    expect(crashes.slice(0, 3)).toEqual([]);
    expect(counts.crash).toBe(0);
    expect(counts['clean error']).toBeGreaterThan(1000);
    expect(counts['accepted-equal']).toBeGreaterThan(0);
  });
});
