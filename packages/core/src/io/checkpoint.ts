import type * as tf from '@tensorflow/tfjs-core';
import { SafetensorsError } from '../errors';
import { exists, joinPath, readBytes, readText, writeFileAtomic, type ByteSource, type FileLocation } from './files';
import { parseSafetensors, type RawTensor, type SafetensorsFile } from './safetensors';
import { serializeSafetensors, tensorToRaw, type SerializeOptions } from './serialize';

export const SAFE_WEIGHTS_NAME = 'model.safetensors';
export const SAFE_WEIGHTS_INDEX_NAME = 'model.safetensors.index.json';

/** Reads a safetensors file from a path (Node), a URL (fetch) or bytes. */
export async function readSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const { bytes, label } = await readBytes(source);
  return parseSafetensors(bytes, label);
}

/** Writes tfjs tensors to a safetensors file atomically (Node), or into a `MemoryFolder`. */
export async function writeSafetensors(path: FileLocation, tensors: Map<string, tf.Tensor> | Record<string, tf.Tensor>, options: SerializeOptions = {}): Promise<void> {
  await writeFileAtomic(path, await encodeSafetensors(tensors, options));
}

/** The bytes of a safetensors file for tfjs tensors (use this in browsers, e.g. for a download). */
export async function encodeSafetensors(tensors: Map<string, tf.Tensor> | Record<string, tf.Tensor>, options: SerializeOptions = {}): Promise<Uint8Array> {
  const raw = new Map<string, RawTensor>();
  for (const [name, t] of tensors instanceof Map ? tensors : Object.entries(tensors)) {
    raw.set(name, await tensorToRaw(t, options.floatDtype));
  }
  return serializeSafetensors(raw, options.metadata ?? { format: 'pt' });
}

/**
 * Reads the weights of a Hugging Face checkpoint folder (path or URL): `model.safetensors`, or
 * the shards listed in `model.safetensors.index.json`. Every key of the index must be in its shard.
 */
export async function readCheckpointWeights(dir: FileLocation): Promise<Map<string, RawTensor>> {
  const single = joinPath(dir, SAFE_WEIGHTS_NAME);
  const index = joinPath(dir, SAFE_WEIGHTS_INDEX_NAME);
  if (await exists(single)) return (await readSafetensors(single)).tensors;
  if (!(await exists(index))) {
    throw new SafetensorsError(String(dir), `no ${SAFE_WEIGHTS_NAME} or ${SAFE_WEIGHTS_INDEX_NAME} in this folder`);
  }
  const { text, label } = await readText(index);
  let weightMap: Record<string, string>;
  try {
    const parsed = JSON.parse(text) as { weight_map?: unknown };
    if (parsed.weight_map == null || typeof parsed.weight_map !== 'object') throw new Error('no "weight_map" object');
    weightMap = parsed.weight_map as Record<string, string>;
  } catch (e) {
    throw new SafetensorsError(label, `not a valid safetensors index: ${(e as Error).message}`);
  }
  const byFile = new Map<string, string[]>();
  for (const [key, file] of Object.entries(weightMap)) {
    if (typeof file !== 'string' || file.includes('..') || file.includes('/') || file.includes('\\')) {
      throw new SafetensorsError(label, `weight_map["${key}"] must be a file name in the same folder, got ${JSON.stringify(file)}`);
    }
    byFile.set(file, [...(byFile.get(file) ?? []), key]);
  }
  const out = new Map<string, RawTensor>();
  for (const [file, keys] of byFile) {
    const shard = await readSafetensors(joinPath(dir, file));
    for (const key of keys) {
      const t = shard.tensors.get(key);
      if (t == null) throw new SafetensorsError(String(joinPath(dir, file)), `tensor "${key}" is listed in ${SAFE_WEIGHTS_INDEX_NAME} but missing from this shard`);
      out.set(key, t);
    }
  }
  return out;
}

/**
 * Writes a checkpoint's weights into `dir` (a Node path or a `MemoryFolder`): one `model.safetensors`, or when the total
 * exceeds `maxShardBytes`, shards `model-0000i-of-0000n.safetensors` plus the index, as
 * `save_pretrained` does. Every file is written atomically.
 */
export async function writeCheckpointWeights(dir: FileLocation, tensors: Map<string, tf.Tensor>, options: SerializeOptions & { maxShardBytes?: number } = {}): Promise<string[]> {
  const maxShard = options.maxShardBytes ?? 5 * 1024 ** 3;
  const raw: [string, RawTensor][] = [];
  for (const [name, t] of tensors) raw.push([name, await tensorToRaw(t, options.floatDtype)]);
  const total = raw.reduce((a, [, t]) => a + t.bytes.byteLength, 0);
  const metadata = options.metadata ?? { format: 'pt' };
  if (total <= maxShard) {
    await writeFileAtomic(joinPath(dir, SAFE_WEIGHTS_NAME), serializeSafetensors(new Map(raw), metadata));
    return [SAFE_WEIGHTS_NAME];
  }
  const shards: [string, RawTensor][][] = [[]];
  let size = 0;
  for (const entry of raw) {
    if (size > 0 && size + entry[1].bytes.byteLength > maxShard) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1]!.push(entry);
    size += entry[1].bytes.byteLength;
  }
  const pad = (i: number) => String(i).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  for (let i = 0; i < shards.length; i++) {
    const file = `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
    for (const [name] of shards[i]!) weightMap[name] = file;
    await writeFileAtomic(joinPath(dir, file), serializeSafetensors(new Map(shards[i]!), metadata));
    files.push(file);
  }
  await writeFileAtomic(joinPath(dir, SAFE_WEIGHTS_INDEX_NAME), `${JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2)}\n`);
  return [...files, SAFE_WEIGHTS_INDEX_NAME];
}
