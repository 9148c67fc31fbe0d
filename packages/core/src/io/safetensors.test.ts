import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  initBackend,
  parseSafetensors,
  serializeSafetensors,
  rawToTypedArray,
  readSafetensors,
  writeSafetensors,
  readCheckpointWeights,
  writeCheckpointWeights,
  writeFileAtomic,
  halfToFloat,
  floatToHalf,
  bf16ToFloat,
  floatToBf16,
  SafetensorsError,
  type RawTensor,
} from '../index';
import { GOLDEN_DIR, hasShared, SHARED_MISSING } from '../testing/shared';

const f32 = (vals: number[], shape: number[]): RawTensor => ({ dtype: 'F32', shape, bytes: new Uint8Array(Float32Array.from(vals).buffer) });

describe('safetensors format', () => {
  beforeAll(() => initBackend('cpu'));

  it('round-trips every dtype and keeps metadata; data is 8-aligned after the padded header', () => {
    const tensors = new Map<string, RawTensor>([
      ['a.f32', f32([1.5, -2, 3], [3])],
      ['b.f64', { dtype: 'F64', shape: [2], bytes: new Uint8Array(Float64Array.of(0.25, -8).buffer) }],
      ['c.f16', { dtype: 'F16', shape: [2], bytes: new Uint8Array(Uint16Array.of(floatToHalf(0.5), floatToHalf(-65504)).buffer) }],
      ['d.bf16', { dtype: 'BF16', shape: [1], bytes: new Uint8Array(Uint16Array.of(floatToBf16(3.140625)).buffer) }],
      ['e.i64', { dtype: 'I64', shape: [2, 1], bytes: new Uint8Array(BigInt64Array.of(-5n, 2147483647n).buffer) }],
      ['f.i32', { dtype: 'I32', shape: [1], bytes: new Uint8Array(Int32Array.of(-7).buffer) }],
      ['g.u8', { dtype: 'U8', shape: [2], bytes: Uint8Array.of(0, 255) }],
      ['h.bool', { dtype: 'BOOL', shape: [3], bytes: Uint8Array.of(1, 0, 1) }],
      ['i.empty', { dtype: 'F32', shape: [0, 4], bytes: new Uint8Array(0) }],
    ]);
    const bytes = serializeSafetensors(tensors, { format: 'pt', note: 'x' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const back = parseSafetensors(bytes, 'roundtrip.safetensors');
    expect(back.metadata).toEqual({ format: 'pt', note: 'x' });
    expect([...back.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
    const values = (k: string) => Array.from(rawToTypedArray(back.tensors.get(k)!, k));
    expect(values('a.f32')).toEqual([1.5, -2, 3]);
    expect(values('b.f64')).toEqual([0.25, -8]);
    expect(values('c.f16')).toEqual([0.5, -65504]);
    expect(values('d.bf16')).toEqual([3.140625]);
    expect(values('e.i64')).toEqual([-5, 2147483647]);
    expect(back.tensors.get('e.i64')!.shape).toEqual([2, 1]);
    expect(values('f.i32')).toEqual([-7]);
    expect(values('g.u8')).toEqual([0, 255]);
    expect(values('h.bool')).toEqual([1, 0, 1]);
    expect(back.tensors.get('i.empty')!.shape).toEqual([0, 4]);
    for (const [name, t] of back.tensors) (expect(t.bytes.byteOffset % Math.min(8, t.bytes.byteLength || 1)).toBe(0), void name);
  });

  it('half and bfloat16 conversions are exact where representable and round to nearest even', () => {
    for (const v of [0, -0, 1, -2.5, 65504, 6.103515625e-5, 5.960464477539063e-8, 0.333251953125]) {
      expect(halfToFloat(floatToHalf(v))).toBe(v);
    }
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // tie → even
    expect(halfToFloat(floatToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(halfToFloat(floatToHalf(1e6))).toBe(Infinity);
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
    for (const v of [0, 1, -3.140625, 2 ** 100]) expect(bf16ToFloat(floatToBf16(v))).toBe(v);
    expect(bf16ToFloat(floatToBf16(1 + 2 ** -8))).toBe(1); // tie → even
  });

  it('an I64 beyond int32 is an error naming the tensor', () => {
    const t: RawTensor = { dtype: 'I64', shape: [1], bytes: new Uint8Array(BigInt64Array.of(2n ** 40n).buffer) };
    expect(() => rawToTypedArray(t, 'position_ids')).toThrow(/position_ids: I64 value 1099511627776 .* does not fit in int32/);
  });

  it.skipIf(!hasShared)('reads every golden model.safetensors (values checked with an independent Python reader)', async () => {
    const expected: [string, number, string, number[], number, number][] = [
      ['bert-mlm', 42, 'bert.encoder.layer.1.attention.output.LayerNorm.bias', [32], 0.016025584191083908, -0.0023086308501660824],
      ['bert-seqcls-regression', 41, 'bert.encoder.layer.0.output.dense.weight', [32, 64], 3.5502509666384867, 0.09204528480768204],
      ['bert-seqcls', 41, 'bert.encoder.layer.0.output.dense.weight', [32, 64], 6.7921560811810195, 0.006238733418285847],
      ['blip-vqa', 148, 'text_encoder.encoder.layer.0.attention.self.value.bias', [32], 0.30334259755909443, 0.040776848793029785],
      ['peft-ia3-bert', 41, 'bert.encoder.layer.0.output.dense.weight', [32, 64], 6.7921560811810195, 0.006238733418285847],
      ['peft-lntuning-bert', 41, 'bert.encoder.layer.0.output.dense.weight', [32, 64], 6.7921560811810195, 0.006238733418285847],
      ['peft-lora-bert', 41, 'bert.encoder.layer.0.output.dense.weight', [32, 64], 6.7921560811810195, 0.006238733418285847],
      ['vit-imgcls', 40, 'vit.encoder.layer.0.output.dense.bias', [32], -0.28313060411892366, -0.038121387362480164],
    ];
    for (const [dir, count, key, shape, sum, first] of expected) {
      const file = await readSafetensors(join(GOLDEN_DIR, dir, 'model.safetensors'));
      expect(file.tensors.size, dir).toBe(count);
      const t = file.tensors.get(key)!;
      expect(t.shape).toEqual(shape);
      const v = rawToTypedArray(t, key);
      expect(v[0]).toBe(Math.fround(first));
      expect(Math.abs(Array.from(v).reduce((a, b) => a + b, 0) - sum)).toBeLessThan(1e-5);
      for (const [name, raw] of file.tensors) expect(rawToTypedArray(raw, name).every(Number.isFinite), name).toBe(true);
    }
    const inputs = await readSafetensors(join(GOLDEN_DIR, 'bert-seqcls', 'inputs.safetensors'));
    expect(inputs.tensors.get('input_ids')!.dtype).toBe('I64');
    expect(Array.from(rawToTypedArray(inputs.tensors.get('input_ids')!)).slice(0, 12)).toEqual([2, 74, 61, 32, 69, 67, 79, 70, 3, 2, 61, 88]);
  });
  it.skipIf(hasShared)(SHARED_MISSING, () => undefined);

  it('writes tfjs tensors atomically and reads them back; F16 storage halves the size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-st-'));
    const a = tf.tensor2d([
      [1, 2],
      [3, 4.5],
    ]);
    const ids = tf.tensor1d([3, 1], 'int32');
    await writeSafetensors(join(dir, 'x.safetensors'), { a, ids });
    await writeSafetensors(join(dir, 'h.safetensors'), { a }, { floatDtype: 'F16' });
    const back = await readSafetensors(join(dir, 'x.safetensors'));
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(Array.from(rawToTypedArray(back.tensors.get('a')!))).toEqual([1, 2, 3, 4.5]);
    expect(back.tensors.get('ids')!.dtype).toBe('I32');
    const half = await readSafetensors(join(dir, 'h.safetensors'));
    expect(half.tensors.get('a')!.dtype).toBe('F16');
    expect(Array.from(rawToTypedArray(half.tensors.get('a')!))).toEqual([1, 2, 3, 4.5]);
    expect((await readdir(dir)).sort()).toEqual(['h.safetensors', 'x.safetensors']);
    tf.dispose([a, ids]);
  });

  it('a failed atomic write leaves the old file intact and no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-atomic-'));
    const path = join(dir, 'model.safetensors');
    await writeFile(path, 'old');
    await expect(writeFileAtomic(path, 42 as unknown as string)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['model.safetensors']);
  });

  it('sharded checkpoints: writes shards + index like save_pretrained, reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-shard-'));
    const tensors = new Map<string, tf.Tensor>();
    for (let i = 0; i < 5; i++) tensors.set(`layer.${i}.weight`, tf.fill([10, 10], i));
    const files = await writeCheckpointWeights(dir, tensors, { maxShardBytes: 1000 });
    expect(files).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors', 'model.safetensors.index.json']);
    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index.metadata.total_size).toBe(2000);
    const back = await readCheckpointWeights(dir);
    expect([...back.keys()].sort()).toEqual([...tensors.keys()].sort());
    expect(rawToTypedArray(back.get('layer.3.weight')!)[7]).toBe(3);
    // an index that promises a key its shard lacks
    index.weight_map['layer.9.weight'] = 'model-00001-of-00003.safetensors';
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(readCheckpointWeights(dir)).rejects.toThrow(
      /model-00001-of-00003\.safetensors: tensor "layer\.9\.weight" is listed in model\.safetensors\.index\.json but missing/,
    );
    index.weight_map['layer.9.weight'] = '../etc/passwd';
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(readCheckpointWeights(dir)).rejects.toThrow(/must be a file name in the same folder/);
    await expect(readCheckpointWeights(join(dir, 'nope'))).rejects.toThrow(/no model\.safetensors or model\.safetensors\.index\.json/);
    tf.dispose([...tensors.values()]);
  });
});
