import { FileReadError, serializeSafetensors } from '@tfjs-peft/core';
import { serializeConfig } from '../common/config';
import { LLAMA2C_FLOAT_KEYS, convertLlama2c, type ConvertLlama2cOptions, type Llama2cConversion } from './convert';
import { Llama2cFormatError } from './errors';

export interface ConvertLlama2cFileOptions extends Omit<ConvertLlama2cOptions, 'label'> {
  /** replace `outDir` when it exists and is not empty (default false: refuse) */
  overwrite?: boolean;
}

/**
 * Node: converts a llama2.c `.bin` into a Hugging Face folder `outDir` (config.json,
 * generation_config.json, model.safetensors) that `LlamaForCausalLM.fromPretrained` and
 * transformers load. The folder is written beside `outDir` under a temporary name, flushed, then
 * renamed into place; an existing folder (with `overwrite`) is moved aside first and only deleted
 * once the new one is in place, so a failure at any step leaves it as it was.
 */
export async function convertLlama2cFile(binPath: string, outDir: string, options: ConvertLlama2cFileOptions = {}): Promise<Llama2cConversion> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join, resolve } = await import('node:path');
  let bytes: Uint8Array;
  try {
    const buf = await fs.readFile(binPath);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new FileReadError(binPath, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${(e as Error).message})`, e);
  }
  const conversion = convertLlama2c(bytes, { ...options, label: binPath });

  const target = resolve(outDir);
  const existing = await fs.stat(target).catch(() => null);
  if (existing && !existing.isDirectory()) throw new Llama2cFormatError(outDir, 'output expected a folder (or nothing), found a file');
  if (existing && (await fs.readdir(target)).length > 0 && !options.overwrite)
    throw new Llama2cFormatError(outDir, 'output folder exists and is not empty; pass overwrite (CLI: --force) to replace it');

  const parent = dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const tmp = await fs.mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    await fs.chmod(tmp, 0o755 & ~process.umask()); // mkdtemp makes it private (0700)
    const files: [string, Uint8Array | string][] = [
      ['config.json', serializeConfig(conversion.config, LLAMA2C_FLOAT_KEYS)],
      ['generation_config.json', serializeConfig(conversion.generationConfig)],
      ['model.safetensors', serializeSafetensors(conversion.tensors, { format: 'pt' })],
    ];
    for (const [name, data] of files) {
      const fh = await fs.open(join(tmp, name), 'w');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    if (!existing) await fs.rename(tmp, target);
    else {
      const old = `${tmp}-old`;
      await fs.rename(target, old);
      try {
        await fs.rename(tmp, target);
      } catch (e) {
        await fs.rename(old, target);
        throw e;
      }
      await fs.rm(old, { recursive: true, force: true });
    }
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return conversion;
}
