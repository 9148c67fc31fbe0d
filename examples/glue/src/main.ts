/**
 * Fine-tune a BERT checkpoint on a GLUE task with one or several methods and print the comparison
 * table (dev metric, trainable %, peak memory, step time, wall time) and a loss-curve plot.
 *
 *   pnpm --filter @tfjs-peft/example-glue start -- --task RTE --data ./glue_data --model ./bert-base-uncased \
 *     --method full,ln-tuning,lora [--max-steps 500] [--backend wasm] [--batch-size 16] [--max-length 128] \
 *     [--first-token-only on|off]   (on: the last layer for [CLS] only — same logits and gradients, less work)
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { initBackend, type BackendChoice } from '@tfjs-peft/core';
import { bf16MatMul } from '@tfjs-peft/core/kernels';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { loadGlue } from '@tfjs-peft/datasets';
import { METHODS, runMethod, runSummary, writeComparison, learningRateFor, type RunResult } from '@tfjs-peft/example-shared';
import { TRAINING_OPTIONS, PRECISION_OPTIONS, backendOption, trainingSettings } from '@tfjs-peft/example-shared/options';
import { defineCli, runMain, CliUsageError } from '@tfjs-peft/example-shared/cli';

/** The project's embedded pretrained BERT (assets/bert-tiny-tfjs-peft). */
export const EMBEDDED_MODEL = fileURLToPath(new URL('../../../assets/bert-tiny-tfjs-peft', import.meta.url));

export const GLUE_CLI = defineCli({
  command: 'pnpm --filter @tfjs-peft/example-glue start --',
  summary: 'Fine-tune a BERT checkpoint on a GLUE task with one or several methods; print and write the comparison table and a loss-curve plot.',
  options: {
    task: { type: 'string', help: 'GLUE task: CoLA, SST-2, MRPC, QQP, STS-B, MNLI, QNLI, RTE or WNLI (required)', value: 'name' },
    data: { type: 'string', help: 'the glue_data folder (one sub-folder per task; required)', value: 'folder' },
    model: { type: 'string', help: 'HF BERT checkpoint folder', default: EMBEDDED_MODEL, defaultLabel: 'the embedded bert-tiny-tfjs-peft', value: 'folder' },
    method: { type: 'string', help: `methods to compare, comma-separated, or all (${Object.keys(METHODS).join(', ')})`, default: 'full,ln-tuning,lora', value: 'list' },
    'eval-every': { type: 'string', help: 'evaluate on dev every n steps (0: at the end only)', default: '0', value: 'n' },
    ...TRAINING_OPTIONS,
    ...PRECISION_OPTIONS,
    backend: backendOption('auto'),
    out: { type: 'string', help: 'folder for results.md, loss-curves.svg and one log per method', default: './runs/glue', value: 'folder' },
  },
});

export async function main(argv: string[]): Promise<RunResult[]> {
  const { values: a } = GLUE_CLI.parse(argv);
  if (!a.task || !a.data) throw new CliUsageError(GLUE_CLI.spec.command, '--task <CoLA|SST-2|MRPC|QQP|STS-B|MNLI|QNLI|RTE|WNLI> and --data <glue_data folder> are required');
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
  console.log(
    `GLUE ${train.task}: ${train.examples.length} train, ${dev.examples.length} dev examples; backend ${backend.name}${backend.native ? ` (matrix products: native ${backend.native})` : ''}${precision === 'bf16' ? `; frozen weights' products: ${bf16MatMul() ? `bf16 (${bf16MatMul()})` : 'float32 (bf16 needs @tfjs-peft/native)'}` : ''}; model ${a.model}`,
  );
  const rows: RunResult[] = [];
  for (const method of methods) {
    console.log(`\n== ${method}`);
    const r = await runMethod({
      modelDir: a.model,
      tokenizer,
      train,
      dev,
      method,
      ...trainingSettings(a),
      lr: a.lr ? Number(a.lr) : learningRateFor(method, a['lr-preset'] as 'auto', hidden),
      evalEvery: Number(a['eval-every']),
      outputDir: a.out!,
      firstTokenOnly: a['first-token-only'] === 'on',
    });
    rows.push(r);
    console.log(runSummary(r));
  }
  const table = await writeComparison(a.out, train.task, `GLUE ${train.task}: training loss`, rows);
  console.log(`\n${table}`);
  console.log(`\nwrote ${a.out}/results.md and ${a.out}/loss-curves.svg`);
  return rows;
}

runMain(import.meta.url, main);
