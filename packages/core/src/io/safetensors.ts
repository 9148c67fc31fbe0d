import { SafetensorsError } from '../errors';
import { DTYPE_BYTES, bf16ToFloat, halfToFloat, isSafetensorsDtype, type SafetensorsDtype } from './dtypes';

/** One tensor as stored: dtype, shape and its little-endian bytes (a view into the file). */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  /** `__metadata__` (string → string) */
  metadata: Record<string, string>;
  tensors: Map<string, RawTensor>;
}

/** The format caps headers at 100 MB (as the reference implementation does). */
export const MAX_HEADER_BYTES = 100_000_000;

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * The first key that occurs twice in one object of a (valid) JSON text, with its path, or null.
 * `JSON.parse` keeps the last value silently; the reference reader must not be second-guessed.
 */
export function findDuplicateJsonKey(text: string): string | null {
  const stack: ({ keys: Set<string>; path: string } | null)[] = [];
  let path = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') stack.push({ keys: new Set(), path });
    else if (ch === '[') stack.push(null);
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const literal = text.slice(i, j + 1);
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k]!)) k++;
      const top = stack[stack.length - 1];
      if (text[k] === ':' && top) {
        const key = JSON.parse(literal) as string;
        const full = top.path ? `${top.path}.${key}` : key;
        if (top.keys.has(key)) return full;
        top.keys.add(key);
        path = full;
      }
      i = j;
    }
  }
  return null;
}

/**
 * Parses a safetensors file held in memory. Every structural problem is a `SafetensorsError`
 * naming `label` (the file) and, where there is one, the tensor: truncated file, header length
 * beyond the file, non-JSON or non-object header, unknown dtype, bad shape or offsets, offsets
 * outside the data or overlapping, byte length ≠ shape × dtype size.
 */
export function parseSafetensors(bytes: Uint8Array, label = '<bytes>'): SafetensorsFile {
  if (bytes.byteLength < 8) {
    throw new SafetensorsError(label, `truncated: ${bytes.byteLength} bytes, but a safetensors file starts with an 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.byteLength - 8)) {
    throw new SafetensorsError(label, `header length ${n64} is beyond the end of the file (${bytes.byteLength - 8} bytes after the length field)`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) throw new SafetensorsError(label, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  let header: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(label, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(label, `header must be a JSON object, got ${Array.isArray(header) ? 'an array' : header === null ? 'null' : typeof header}`);
  }
  if (text[0] !== '{') {
    throw new SafetensorsError(label, `header must start with "{" (as the reference reader requires), got ${JSON.stringify(text.slice(0, 8))}`);
  }
  const dup = findDuplicateJsonKey(text);
  if (dup !== null) throw new SafetensorsError(label, `header has a duplicate key "${dup}"`);
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata = Object.create(null) as Record<string, string>;
  const tensors = new Map<string, RawTensor>();
  const spans: [number, number, string][] = []; // every tensor, empty ones too
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        throw new SafetensorsError(label, '__metadata__ must be an object of strings');
      }
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(label, `__metadata__.${k} must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new SafetensorsError(label, `${where}: entry must be an object with dtype, shape and data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isSafetensorsDtype(dtype)) {
      throw new SafetensorsError(label, `${where}: unknown dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(DTYPE_BYTES).join(', ')}`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) {
      throw new SafetensorsError(label, `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt) || (offsets[0] as number) > (offsets[1] as number)) {
      throw new SafetensorsError(label, `${where}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLen) {
      throw new SafetensorsError(label, `${where}: data_offsets [${begin}, ${end}] are outside the data section (${dataLen} bytes; file truncated?)`);
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = numel * DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      throw new SafetensorsError(
        label,
        `${where}: ${end - begin} bytes of data, but shape [${(shape as number[]).join(',')}] × ${dtype} (${DTYPE_BYTES[dtype]} bytes) needs ${expected}`,
      );
    }
    spans.push([begin, end, name]);
    tensors.set(name, { dtype, shape: shape as number[], bytes: bytes.subarray(dataStart + begin, dataStart + end) });
  }
  // As the reference reader: sorted by offsets, the tensors tile the data section exactly,
  // starting at 0, with no gap, no overlap and no bytes after the last one.
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let expectedBegin = 0;
  let prev: string | null = null;
  for (const [b, e, nm] of spans) {
    if (b < expectedBegin) {
      throw new SafetensorsError(label, `tensor "${nm}" overlaps tensor "${prev}" (offsets ${b} < ${expectedBegin})`);
    }
    if (b > expectedBegin) {
      throw new SafetensorsError(
        label,
        prev === null
          ? `tensor "${nm}": the first tensor's data must begin at offset 0, got ${b}`
          : `tensor "${nm}": gap of ${b - expectedBegin} bytes after tensor "${prev}" (offsets ${expectedBegin} → ${b})`,
      );
    }
    expectedBegin = e;
    prev = nm;
  }
  if (expectedBegin !== dataLen) {
    throw new SafetensorsError(
      label,
      `${dataLen - expectedBegin} trailing bytes after ${prev === null ? 'the header (no tensors)' : `the last tensor "${prev}"`} (data section is ${dataLen} bytes, tensors end at ${expectedBegin})`,
    );
  }
  return { metadata, tensors };
}

function aligned<T extends ArrayBufferView>(bytes: Uint8Array, itemSize: number, make: (buf: ArrayBuffer, off: number, len: number) => T): T {
  if (bytes.byteOffset % itemSize === 0) return make(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / itemSize);
  const copy = bytes.slice();
  return make(copy.buffer, 0, copy.byteLength / itemSize);
}

/**
 * The values of a raw tensor as the typed array tfjs can take: float types → Float32Array,
 * integer types → Int32Array (I64 checked to fit), BOOL/U8 → Uint8Array/Int32Array.
 */
export function rawToTypedArray(t: RawTensor, name = 'tensor'): Float32Array | Int32Array | Uint8Array {
  const b = t.bytes;
  const n = b.byteLength / DTYPE_BYTES[t.dtype];
  const le = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (t.dtype) {
    case 'F32':
      // copy: the result must not alias the file buffer (it may be reused)
      return aligned(b, 4, (buf, off, len) => new Float32Array(buf, off, len)).slice();
    case 'F64':
      return Float32Array.from(aligned(b, 8, (buf, off, len) => new Float64Array(buf, off, len)));
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(le.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = bf16ToFloat(le.getUint16(2 * i, true));
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = le.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new RangeError(`${name}: I64 value ${v} at index ${i} does not fit in int32, the widest integer tfjs has`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32':
      return aligned(b, 4, (buf, off, len) => new Int32Array(buf, off, len)).slice();
    case 'I16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = le.getInt16(2 * i, true);
      return out;
    }
    case 'I8':
      return Int32Array.from(new Int8Array(b.buffer, b.byteOffset, n));
    case 'U8':
      return Int32Array.from(b);
    case 'BOOL':
      return Uint8Array.from(b, (v) => (v ? 1 : 0));
  }
}
