import { describe, it, expect } from 'vitest';
import { TfjsPeftError } from '@tfjs-peft/core';
import { Llama2cFormatError, convertLlama2c, llama2cFileBytes, readLlama2cHeader } from './index';
import { packLlama2c, randomLlama2c, type Llama2cShape } from './reference-io';

const SHAPE: Llama2cShape = { dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 20, seqLen: 8 };
const v0 = (shared = true) => packLlama2c(randomLlama2c(SHAPE, shared), 0);
const v1 = (shared = true) => packLlama2c(randomLlama2c(SHAPE, shared), 1);

/** Sets int32 `index` of the header (after the magic and version for v1). */
function withHeaderInt(bytes: Uint8Array, byteOffset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setInt32(byteOffset, value, true);
  return copy;
}

function fails(bytes: Uint8Array, pattern: RegExp, options = {}): void {
  let err: unknown;
  try {
    convertLlama2c(bytes, { label: 'models/tiny.bin', ...options });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Llama2cFormatError);
  expect(err).toBeInstanceOf(TfjsPeftError);
  expect((err as Llama2cFormatError).code).toBe('LLAMA2C_INVALID');
  expect((err as Error).message).toMatch(/^models\/tiny\.bin: /);
  expect((err as Error).message).toMatch(pattern);
}

describe('llama2.c bad input: typed errors that name the file, what was expected and what was found', () => {
  it('the well-formed files convert (so every failure below comes from the one change)', () => {
    for (const b of [v0(), v0(false), v1(), v1(false)]) expect(convertLlama2c(b).tensors.size).toBeGreaterThan(0);
  });

  it('shorter than the 28-byte header', () => {
    fails(v0().slice(0, 20), /expected at least 28 bytes .*got 20/);
    fails(new Uint8Array(0), /got 0/);
  });

  it('truncated weights: expected and actual bytes', () => {
    const b = v0();
    fails(b.slice(0, b.length - 4), new RegExp(`truncated: expected exactly ${b.length} bytes .*got ${b.length - 4} \\(-4\\)`));
    const u = v1(false);
    fails(u.slice(0, u.length - 100), new RegExp(`expected exactly ${u.length} bytes .*got ${u.length - 100}`));
  });

  it('wrong size: trailing bytes, or a tied file whose header says untied', () => {
    const b = v0();
    const longer = new Uint8Array(b.length + 8);
    longer.set(b);
    fails(longer, new RegExp(`longer than its header says: expected exactly ${b.length} bytes .*got ${b.length + 8} \\(\\+8\\)`));
    const untiedHeader = withHeaderInt(b, 20, -SHAPE.vocabSize);
    fails(untiedHeader, new RegExp(`truncated: expected exactly ${b.length + 4 * SHAPE.vocabSize * SHAPE.dim} bytes .*separate classifier`));
  });

  it('bad header values name the field', () => {
    const b = v0();
    fails(withHeaderInt(b, 12, 0), /"n_heads" expected a positive integer .*got 0/);
    fails(withHeaderInt(b, 0, -16), /"dim" expected a positive integer .*got -16 — is this a llama2.c checkpoint\?/);
    fails(withHeaderInt(b, 4, 1 << 30), /"hidden_dim" expected a positive integer ≤ 16777216, got 1073741824/);
    fails(withHeaderInt(b, 20, 0), /"vocab_size" expected a non-zero integer/);
    fails(withHeaderInt(b, 24, 0), /"seq_len" expected a positive integer/);
    fails(withHeaderInt(b, 12, 3), /"dim" 16 is not a multiple of "n_heads" 3/);
    fails(withHeaderInt(withHeaderInt(b, 12, 16), 16, 16), /head size dim\/n_heads = 1 expected even/);
    fails(withHeaderInt(b, 16, 8), /"n_heads" 4 expected a multiple of "n_kv_heads" 8/);
    fails(withHeaderInt(b, 16, 3), /"n_heads" 4 expected a multiple of "n_kv_heads" 3/);
    fails(withHeaderInt(v1(), 28, -SHAPE.vocabSize), /"vocab_size" expected a positive integer/); // v1 has a separate flag
  });

  it('versioned ("ak42") files: version 2 (Q8_0) and unknown versions are rejected, the classifier flag is 0 or 1', () => {
    fails(withHeaderInt(v1(), 4, 2), /version 2 \(Q8_0 int8-quantized weights\) is not supported; export .*--version 0.*--version 1/);
    fails(withHeaderInt(v1(), 4, 7), /"version" expected 1 .*got 7/);
    const flag = v1();
    flag[36] = 5;
    fails(flag, /"shared_classifier" byte expected 0 or 1, got 5/);
    fails(v1().slice(0, 100), /"ak42" header expected 256 bytes, the file has 100/);
  });

  it('non-finite weights name the array and the byte', () => {
    const b = v0();
    const view = new DataView(b.buffer);
    const embedding = 28 + 4 * SHAPE.vocabSize * SHAPE.dim;
    view.setFloat32(embedding + 4 * 3, NaN, true); // rms_att_weight[0][3]
    fails(b, new RegExp(`"rms_att_weight" expected finite float32 values, got NaN at index 3 \\(byte ${embedding + 12}\\)`));
  });

  it('version-0 RoPE tables that do not match rope_theta (another base): an error unless told', () => {
    fails(v0(), /"freq_cis_real\/imag" at position 1, pair 1: expected cos\/sin .* for rope_theta 500000/, { ropeTheta: 500000 });
    const { config } = convertLlama2c(v0(), { ropeTheta: 500000, checkRopeTables: false });
    expect(config.rope_theta).toBe(500000);
    expect(config.rope_parameters).toEqual({ rope_type: 'default', rope_theta: 500000 });
  });

  it('bos/eos options must index the vocabulary', () => {
    fails(v0(), /option "eosTokenId" expected an id in \[0, 20\), got 20/, { eosTokenId: 20 });
  });

  it('readLlama2cHeader alone: the label defaults to <bytes>; llama2cFileBytes is the size the converter requires', () => {
    expect(() => readLlama2cHeader(new Uint8Array(3))).toThrow(/^<bytes>: expected at least 28 bytes/);
    const h = readLlama2cHeader(v1(false));
    expect(h).toMatchObject({ version: 1, sharedClassifier: false, vocabSize: 20, headerBytes: 256 });
    expect(llama2cFileBytes(h)).toBe(v1(false).length);
  });
});
