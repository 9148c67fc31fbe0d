import { Llama2cFormatError } from './errors';

/** `uint32` magic of llama2.c's versioned exports: the ASCII bytes "ak42" read little-endian. */
export const LLAMA2C_MAGIC = 0x616b3432;
/** Size of the header of a versioned export (magic, version, 7 ints, flags, zero padding). */
export const LLAMA2C_V1_HEADER_BYTES = 256;
/** Size of the legacy header: 7 int32. */
export const LLAMA2C_V0_HEADER_BYTES = 28;

/** The model shape a llama2.c checkpoint declares, in llama2.c's `Config` names (camelCase). */
export interface Llama2cHeader {
  /** 0: legacy `legacy_export` (no magic); 1: `version1_export` ("ak42", 256-byte header) */
  version: 0 | 1;
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  /** always positive here; version 0 stores a negative value for an untied classifier */
  vocabSize: number;
  seqLen: number;
  /** the classifier is the token embedding (no `wcls` in the file) */
  sharedClassifier: boolean;
  /** bytes before the first weight */
  headerBytes: number;
}

const FIELDS = ['dim', 'hidden_dim', 'n_layers', 'n_heads', 'n_kv_heads', 'vocab_size', 'seq_len'] as const;
/** Upper bound on every header value: rejects garbage (a file that is not a checkpoint) before any size arithmetic. */
const MAX_VALUE = 1 << 24;

/**
 * Reads and checks the header of a llama2.c `.bin`: the legacy "version 0" layout (7 little-endian
 * int32; a negative `vocab_size` means an untied classifier follows the weights) or the versioned
 * layout of `export.py` (`"ak42"` magic, int32 version, the 7 int32, a shared-classifier byte, zero
 * padding to 256 bytes). Version 2 (Q8_0 quantized) and later are rejected.
 */
export function readLlama2cHeader(bytes: Uint8Array, file = '<bytes>'): Llama2cHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < LLAMA2C_V0_HEADER_BYTES)
    throw new Llama2cFormatError(file, `expected at least ${LLAMA2C_V0_HEADER_BYTES} bytes (the llama2.c header: 7 int32), got ${bytes.byteLength}`);
  let version: 0 | 1 = 0;
  let offset = 0;
  if (view.getUint32(0, true) === LLAMA2C_MAGIC) {
    if (bytes.byteLength < LLAMA2C_V1_HEADER_BYTES) throw new Llama2cFormatError(file, `"ak42" header expected ${LLAMA2C_V1_HEADER_BYTES} bytes, the file has ${bytes.byteLength}`);
    const v = view.getInt32(4, true);
    if (v === 2)
      throw new Llama2cFormatError(
        file,
        'llama2.c export version 2 (Q8_0 int8-quantized weights) is not supported; export the checkpoint with `python export.py --version 0` or `--version 1` (float32)',
      );
    if (v !== 1) throw new Llama2cFormatError(file, `"version" expected 1 (float32 export; 0 is the legacy file without a magic), got ${v}`);
    version = 1;
    offset = 8;
  }
  const raw = FIELDS.map((_, i) => view.getInt32(offset + 4 * i, true));
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabField, seqLen] = raw as [number, number, number, number, number, number, number];
  raw.forEach((v, i) => {
    const name = FIELDS[i]!;
    const ok = name === 'vocab_size' && version === 0 ? v !== 0 && Math.abs(v) <= MAX_VALUE : v > 0 && v <= MAX_VALUE;
    if (!ok) {
      const expected =
        name === 'vocab_size' && version === 0 ? `a non-zero integer of magnitude ≤ ${MAX_VALUE} (negative: untied classifier)` : `a positive integer ≤ ${MAX_VALUE}`;
      throw new Llama2cFormatError(file, `header field "${name}" expected ${expected}, got ${v} — is this a llama2.c checkpoint?`);
    }
  });
  if (dim % nHeads !== 0) throw new Llama2cFormatError(file, `header: "dim" ${dim} is not a multiple of "n_heads" ${nHeads}`);
  if ((dim / nHeads) % 2 !== 0) throw new Llama2cFormatError(file, `header: head size dim/n_heads = ${dim / nHeads} expected even (rotary embeddings rotate pairs)`);
  if (nKvHeads > nHeads || nHeads % nKvHeads !== 0)
    throw new Llama2cFormatError(file, `header: "n_heads" ${nHeads} expected a multiple of "n_kv_heads" ${nKvHeads} (grouped-query attention)`);
  let sharedClassifier = vocabField > 0;
  if (version === 1) {
    const flag = bytes[offset + 28]!;
    if (flag > 1) throw new Llama2cFormatError(file, `header: "shared_classifier" byte expected 0 or 1, got ${flag}`);
    sharedClassifier = flag === 1;
  }
  return {
    version,
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize: Math.abs(vocabField),
    seqLen,
    sharedClassifier,
    headerBytes: version === 1 ? LLAMA2C_V1_HEADER_BYTES : LLAMA2C_V0_HEADER_BYTES,
  };
}
