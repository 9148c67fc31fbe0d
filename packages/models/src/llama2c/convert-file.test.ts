import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileReadError, parseSafetensors } from '@tfjs-peft/core';
import { parseLlamaConfig } from '../llama';
import { Llama2cFormatError, convertLlama2cFile } from './index';
import { runLlama2cCli, LLAMA2C_CLI_USAGE } from './cli';
import { packLlama2c, randomLlama2c } from './reference-io';

const SHAPE = { dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 20, seqLen: 8 };

async function setup(): Promise<{ dir: string; bin: string; bad: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-llama2c-file-'));
  const bin = join(dir, 'tiny.bin');
  const bad = join(dir, 'bad.bin');
  const bytes = packLlama2c(randomLlama2c(SHAPE, false), 1);
  await writeFile(bin, bytes);
  await writeFile(bad, bytes.slice(0, bytes.length - 1));
  return { dir, bin, bad };
}

function capture(): { io: { out: (s: string) => void; err: (s: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s) => out.push(s), err: (s) => err.push(s) }, out, err };
}

describe('convertLlama2cFile: an HF folder, written atomically', () => {
  it('writes config.json (floats as floats), generation_config.json and model.safetensors; nothing else is left', async () => {
    const { dir, bin } = await setup();
    await convertLlama2cFile(bin, join(dir, 'out', 'hf'));
    expect((await readdir(join(dir, 'out', 'hf'))).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors']);
    expect(await readdir(join(dir, 'out'))).toEqual(['hf']); // no temporary folder left beside it
    const text = await readFile(join(dir, 'out', 'hf', 'config.json'), 'utf8');
    expect(text).toMatch(/"rope_theta": 10000\.0/);
    expect(text).toMatch(/"attention_dropout": 0\.0/);
    const config = JSON.parse(text);
    expect(parseLlamaConfig(config)).toMatchObject({ hiddenSize: 16, numKeyValueHeads: 2, ropeTheta: 10000, rmsNormEps: 1e-5, tieWordEmbeddings: false, eosTokenId: 2 });
    expect(JSON.parse(await readFile(join(dir, 'out', 'hf', 'generation_config.json'), 'utf8'))).toEqual({ bos_token_id: 1, eos_token_id: 2 });
    const st = parseSafetensors(await readFile(join(dir, 'out', 'hf', 'model.safetensors')), 'model.safetensors');
    expect(st.tensors.get('lm_head.weight')!.shape).toEqual([20, 16]);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect((await stat(join(dir, 'out', 'hf'))).mode & 0o055).toBe(0o055 & ~process.umask()); // readable by others, as mkdir makes it
  });

  it('a missing .bin is a FileReadError naming the path; a bad one names the file and writes nothing', async () => {
    const { dir, bad } = await setup();
    await expect(convertLlama2cFile(join(dir, 'nope.bin'), join(dir, 'out'))).rejects.toThrow(FileReadError);
    await expect(convertLlama2cFile(join(dir, 'nope.bin'), join(dir, 'out'))).rejects.toThrow(/nope\.bin: no such file/);
    await expect(convertLlama2cFile(bad, join(dir, 'out'))).rejects.toThrow(Llama2cFormatError);
    await expect(convertLlama2cFile(bad, join(dir, 'out'))).rejects.toThrow(/bad\.bin: file is truncated/);
    expect((await readdir(dir)).sort()).toEqual(['bad.bin', 'tiny.bin']);
  });

  it('an existing folder is kept unless overwrite; a failed conversion never touches it; overwrite replaces it whole', async () => {
    const { dir, bin, bad } = await setup();
    const out = join(dir, 'hf');
    await mkdir(out);
    await writeFile(join(out, 'config.json'), '{"good": true}');
    await expect(convertLlama2cFile(bin, out)).rejects.toThrow(/hf: output folder exists and is not empty; pass overwrite/);
    await expect(convertLlama2cFile(bad, out, { overwrite: true })).rejects.toThrow(/truncated/);
    expect(await readFile(join(out, 'config.json'), 'utf8')).toBe('{"good": true}');
    await convertLlama2cFile(bin, out, { overwrite: true });
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8')).model_type).toBe('llama');
    expect((await readdir(dir)).sort()).toEqual(['bad.bin', 'hf', 'tiny.bin']); // the old folder moved aside is gone
    await writeFile(join(dir, 'file'), 'x');
    await expect(convertLlama2cFile(bin, join(dir, 'file'), { overwrite: true })).rejects.toThrow(/file: output expected a folder/);
  });
});

describe('the CLI (tfjs-peft-convert-llama2c)', () => {
  it('--help prints the usage and exits 0', async () => {
    const c = capture();
    expect(await runLlama2cCli(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toBe(LLAMA2C_CLI_USAGE);
    expect(LLAMA2C_CLI_USAGE).toMatch(/--force/);
  });

  it('converts, with options; bad usage and bad files exit 1 with the reason', async () => {
    const { dir, bin, bad } = await setup();
    const c = capture();
    expect(await runLlama2cCli([bin, join(dir, 'hf'), '--bos', '0', '--eos', '3'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/llama2\.c version 1: dim 16, 2 layers, 4 heads \/ 2 kv, vocab 20, untied classifier\) → /);
    expect(JSON.parse(await readFile(join(dir, 'hf', 'config.json'), 'utf8'))).toMatchObject({ bos_token_id: 0, eos_token_id: 3 });
    for (const [args, pattern] of [
      [[bin], /expected <model\.bin> <out-dir>, got 1 argument/],
      [[bin, join(dir, 'x'), '--rope-theta'], /--rope-theta expected a number, got nothing/],
      [[bin, join(dir, 'x'), '--frobnicate'], /unknown option --frobnicate/],
      [[bad, join(dir, 'y')], /bad\.bin: file is truncated/],
      [[bin, join(dir, 'hf')], /output folder exists and is not empty; pass overwrite \(CLI: --force\)/],
    ] as [string[], RegExp][]) {
      const e = capture();
      expect(await runLlama2cCli(args, e.io)).toBe(1);
      expect(e.err.join('')).toMatch(pattern);
    }
    expect(await runLlama2cCli([bin, join(dir, 'hf'), '--force'], capture().io)).toBe(0);
  });
});
