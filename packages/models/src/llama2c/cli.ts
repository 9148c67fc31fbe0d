#!/usr/bin/env node
/**
 * `tfjs-peft-convert-llama2c <model.bin> <out-dir>`: a llama2.c checkpoint to a Hugging Face Llama
 * folder. From the repository, after `pnpm build`: `cd packages/models && npx tsx src/llama2c/cli.ts --help`.
 */
import { pathToFileURL } from 'node:url';
import { TfjsPeftError } from '@tfjs-peft/core';
import { convertLlama2cFile } from './convert-file';

export const LLAMA2C_CLI_USAGE = `Usage: tfjs-peft-convert-llama2c <model.bin> <out-dir> [options]

Converts a llama2.c checkpoint (float32 export, version 0 "legacy" or version 1 "ak42") into a
Hugging Face Llama folder: config.json, generation_config.json and model.safetensors, loadable by
LlamaForCausalLM.fromPretrained (tfjs-peft) and transformers. wq and wk are permuted from
llama2.c's interleaved rotary pairs to transformers' rotate_half layout. No tokenizer is written.

Options:
  --force            replace <out-dir> if it exists and is not empty
  --rope-theta <n>   RoPE base (default 10000, llama2.c's)
  --rms-norm-eps <x> RMSNorm epsilon (default 1e-5, llama2.c's)
  --bos <id>         bos_token_id (default 1, llama2.c's SentencePiece convention)
  --eos <id>         eos_token_id (default 2)
  -h, --help         show this help
`;

/** A bad command line (unknown option, missing argument): the usage text follows the message. */
class CliUsageError extends TfjsPeftError {
  constructor(message: string) {
    super('CLI_USAGE', message);
  }
}

interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

function numberArg(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n)) throw new CliUsageError(`${flag} expected a number, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  return n;
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function runLlama2cCli(argv: string[], io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  const positional: string[] = [];
  const options: Parameters<typeof convertLlama2cFile>[2] = {};
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-h' || a === '--help') {
        io.out(LLAMA2C_CLI_USAGE);
        return 0;
      } else if (a === '--force') options.overwrite = true;
      else if (a === '--rope-theta') options.ropeTheta = numberArg(a, argv[++i]);
      else if (a === '--rms-norm-eps') options.rmsNormEps = numberArg(a, argv[++i]);
      else if (a === '--bos') options.bosTokenId = numberArg(a, argv[++i]);
      else if (a === '--eos') options.eosTokenId = numberArg(a, argv[++i]);
      else if (a.startsWith('-')) throw new CliUsageError(`unknown option ${a}`);
      else positional.push(a);
    }
    if (positional.length !== 2) throw new CliUsageError(`expected <model.bin> <out-dir>, got ${positional.length} argument(s)`);
    const [bin, outDir] = positional as [string, string];
    const { header: h } = await convertLlama2cFile(bin, outDir, options);
    io.out(
      `${bin} (llama2.c version ${h.version}: dim ${h.dim}, ${h.nLayers} layers, ${h.nHeads} heads / ${h.nKvHeads} kv, vocab ${h.vocabSize}, ${h.sharedClassifier ? 'tied' : 'untied'} classifier) → ${outDir}\n`,
    );
    return 0;
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    if (e instanceof CliUsageError) io.err(`\n${LLAMA2C_CLI_USAGE}`);
    return e instanceof TfjsPeftError ? 1 : 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runLlama2cCli(process.argv.slice(2)).then((code) => process.exit(code));
}
