/**
 * Fine-tune a BERT checkpoint on a GLUE task with one or several methods and print the comparison
 * table (dev metric, trainable %, peak memory, step time, wall time) and a loss-curve plot.
 *
 *   pnpm --filter @tfjs-peft/example-glue start -- --task RTE --data ./glue_data --model ./bert-base-uncased \
 *     --method full,ln-tuning,lora [--max-steps 500] [--backend wasm] [--batch-size 16] [--max-length 128] \
 *     [--first-token-only on|off]   (on: the last layer for [CLS] only — same logits and gradients, less work)
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { initBackend, type BackendChoice } from '@tfjs-peft/core';
import { bf16MatMul } from '@tfjs-peft/core/kernels';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { loadGlue } from '@tfjs-peft/datasets';
import { METHODS, learningRateFor } from './methods';
import { runMethod, type RunResult } from './run-method';
import { resultTable } from './table';
import { lossCurvesSvg } from './plot';

/** The project's embedded pretrained BERT (assets/bert-tiny-tfjs-peft). */
export const EMBEDDED_MODEL = fileURLToPath(new URL('../../../assets/bert-tiny-tfjs-peft', import.meta.url));

export async function main(argv: string[]): Promise<RunResult[]> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      task: { type: 'string' },
      data: { type: 'string' },
      model: { type: 'string', default: EMBEDDED_MODEL },
      'lr-preset': { type: 'string', default: 'auto' },
      method: { type: 'string', default: 'full,ln-tuning,lora' },
      'max-steps': { type: 'string', default: '300' },
      'batch-size': { type: 'string', default: '16' },
      'max-length': { type: 'string', default: '128' },
      'eval-every': { type: 'string', default: '0' },
      'train-limit': { type: 'string' },
      lr: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      out: { type: 'string', default: './runs/glue' },
      seed: { type: 'string', default: '42' },
      // products with frozen weights (ln-tuning, LoRA/IA3 base layers): float32, or bf16 operands with float32 sums (setFrozenMatMulPrecision)
      'frozen-precision': { type: 'string', default: 'float32' },
      // on: the last layer computed for [CLS] only (same logits and gradients, less work); off: every token, as transformers
      'first-token-only': { type: 'string', default: 'on' },
    },
  });
  if (!a.task || !a.data) throw new Error('usage: --task <CoLA|SST-2|MRPC|QQP|STS-B|MNLI|QNLI|RTE|WNLI> --data <glue_data folder> [--model <checkpoint folder, default: the embedded one>] [--method full,ln-tuning,lora,ia3,bitfit,prefix-tuning,prompt-tuning]');
  if (!['auto', 'base', 'small'].includes(a['lr-preset']!)) throw new Error(`--lr-preset must be auto, base or small, got ${a['lr-preset']}`);
  const hidden = (JSON.parse(await readFile(`${a.model}/config.json`, 'utf8')) as { hidden_size?: number }).hidden_size ?? 768;
  const methods = a.method === 'all' ? Object.keys(METHODS) : a.method!.split(',');
  for (const m of methods) if (!METHODS[m]) throw new Error(`--method ${m} is not one of ${Object.keys(METHODS).join(', ')}`);
  const precision = a['frozen-precision'];
  if (precision !== 'float32' && precision !== 'bf16') throw new Error(`--frozen-precision: expected float32 or bf16, got ${precision}`);
  if (a['first-token-only'] !== 'on' && a['first-token-only'] !== 'off') throw new Error(`--first-token-only: expected on or off, got ${a['first-token-only']}`);
  const backend = await initBackend(a.backend as BackendChoice, { frozenMatMulPrecision: precision });
  const tokenizer = await BertTokenizer.fromPretrained(a.model);
  const train = await loadGlue(a.data, a.task, 'train');
  if (a['train-limit']) train.examples = train.examples.slice(0, Number(a['train-limit']));
  const dev = await loadGlue(a.data, a.task, train.task === 'MNLI' ? 'dev_matched' : 'dev');
  console.log(`GLUE ${train.task}: ${train.examples.length} train, ${dev.examples.length} dev examples; backend ${backend.name}${backend.native ? ` (matrix products: native ${backend.native})` : ''}${precision === 'bf16' ? `; frozen weights' products: ${bf16MatMul() ? `bf16 (${bf16MatMul()})` : 'float32 (bf16 needs @tfjs-peft/native)'}` : ''}; model ${a.model}`);
  const rows: RunResult[] = [];
  for (const method of methods) {
    console.log(`\n== ${method}`);
    const r = await runMethod({
      modelDir: a.model,
      tokenizer,
      train,
      dev,
      method,
      maxSteps: Number(a['max-steps']),
      batchSize: Number(a['batch-size']),
      maxLength: Number(a['max-length']),
      lr: a.lr ? Number(a.lr) : learningRateFor(method, a['lr-preset'] as 'auto', hidden),
      evalEvery: Number(a['eval-every']),
      outputDir: a.out!,
      seed: Number(a.seed),
      firstTokenOnly: a['first-token-only'] === 'on',
    });
    rows.push(r);
    console.log(`${method}: ${Object.entries(r.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')} (${(r.wallMs / 1000).toFixed(1)} s)`);
  }
  const table = resultTable(train.task, rows);
  console.log(`\n${table}`);
  await mkdir(a.out!, { recursive: true });
  await writeFile(`${a.out}/results.md`, `${table}\n`);
  await writeFile(`${a.out}/loss-curves.svg`, await lossCurvesSvg(`GLUE ${train.task}: training loss`, rows));
  console.log(`\nwrote ${a.out}/results.md and ${a.out}/loss-curves.svg`);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `pnpm … start -- --flag` hands the script a literal `--` first
  main(process.argv.slice(2).filter((x, i) => i > 0 || x !== '--')).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
