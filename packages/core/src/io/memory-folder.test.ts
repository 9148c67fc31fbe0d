import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { MemoryFolder, MemoryPath } from './memory-folder';
import { exists, joinPath, readBytes, readText, writeFileAtomic } from './files';
import { readCheckpointWeights, writeCheckpointWeights } from './checkpoint';

/** A File as an `<input webkitdirectory>` gives it (webkitRelativePath is read-only on real Files). */
function picked(path: string, text: string): File {
  const f = new File([text], path.split('/').pop()!);
  Object.defineProperty(f, 'webkitRelativePath', { value: path });
  return f;
}

describe('MemoryFolder', () => {
  beforeAll(() => useBackend('cpu'));

  it('takes a picked folder without its own name, and reads files through joinPath like a path', async () => {
    const folder = MemoryFolder.fromFiles([picked('bert-tiny/config.json', '{"a":1}'), picked('bert-tiny/sub/vocab.txt', 'x\ny')]);
    expect(folder.name).toBe('bert-tiny');
    expect(folder.paths()).toEqual(['config.json', 'sub/vocab.txt']);
    expect((await readText(joinPath(folder, 'config.json'))).text).toBe('{"a":1}');
    const nested = joinPath(joinPath(folder, 'sub'), 'vocab.txt');
    expect(nested).toBeInstanceOf(MemoryPath);
    expect(String(nested)).toBe('bert-tiny/sub/vocab.txt');
    expect((await readText(nested)).label).toBe('bert-tiny/sub/vocab.txt');
    expect(await exists(joinPath(folder, 'sub'))).toBe(true);
    expect(await exists(joinPath(folder, 'model.safetensors'))).toBe(false);
  });

  it('files picked one by one keep their names', () => {
    const folder = MemoryFolder.fromFiles([new File(['1'], 'train.tsv'), new File(['2'], 'dev.tsv')]);
    expect(folder.paths()).toEqual(['dev.tsv', 'train.tsv']);
  });

  it('a missing file is an error naming it and what the folder holds; a path may not leave the folder', async () => {
    const folder = new MemoryFolder('ckpt').set('config.json', '{}');
    await expect(readBytes(joinPath(folder, 'model.safetensors'))).rejects.toThrow('ckpt/model.safetensors: no such file in this folder (it holds config.json)');
    await expect(readBytes(folder)).rejects.toThrow('ckpt: is a folder, not a file');
    expect(() => joinPath(folder, '../etc/passwd')).toThrow('../etc/passwd: leaves the folder');
  });

  it('writes replace a file whole and copy the bytes they were given', async () => {
    const folder = new MemoryFolder('out');
    const bytes = Uint8Array.of(1, 2, 3);
    await writeFileAtomic(joinPath(folder, 'a/b.bin'), bytes);
    bytes[0] = 9;
    expect(Array.from((await readBytes(joinPath(folder, 'a/b.bin'))).bytes)).toEqual([1, 2, 3]);
    await writeFileAtomic(joinPath(folder, 'a/b.bin'), 'text');
    expect((await readText(joinPath(folder, 'a/b.bin'))).text).toBe('text');
    await expect(writeFileAtomic(folder, 'x')).rejects.toThrow('out: is a folder; write to a file in it');
  });

  it('checkpoint weights round-trip through a memory folder, sharded too', async () => {
    const tensors = new Map<string, tf.Tensor>([
      [
        'a.weight',
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      ],
      ['b.bias', tf.tensor1d([5, 6, 7])],
    ]);
    for (const maxShardBytes of [undefined, 16]) {
      const folder = new MemoryFolder('ckpt');
      await writeCheckpointWeights(folder, tensors, { maxShardBytes });
      expect(folder.paths().length).toBe(maxShardBytes ? 3 : 1);
      const back = await readCheckpointWeights(folder);
      expect([...back.keys()].sort()).toEqual(['a.weight', 'b.bias']);
      expect(Array.from(new Float32Array(back.get('b.bias')!.bytes.slice().buffer))).toEqual([5, 6, 7]);
    }
    tf.dispose([...tensors.values()]);
  });
});
