/**
 * The main job (`npm run demo`): the LayerNorm paper's headline comparison in miniature, with no
 * download. Loads the embedded pretrained BERT (assets/bert-tiny-tfjs-peft), fine-tunes it on the
 * embedded SpamAssassin slice (data/spam-assassin: 2,000 train / 500 dev e-mails, ham vs spam) with
 * full fine-tuning, LayerNorm-only, LoRA and IA3, and prints dev accuracy/F1, trainable %, peak
 * memory, step time and wall time per method, plus a loss-curve plot.
 *
 *   npm run demo -- [--model <HF BERT checkpoint folder>] [--train a.tsv --dev b.tsv] \
 *     [--methods full,ln-tuning,lora,ia3] [--max-steps 300] [--batch-size 16] [--max-length 128] [--backend wasm] \
 *     [--lr x | --lr-preset auto|base|small] [--first-token-only on|off]
 *
 * A user's data: TSV files with a header and `label` + `text` (or `sentence`) columns.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendChoice } from '@tfjs-peft/core';
import { bf16MatMul } from '@tfjs-peft/core/kernels';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { loadTsvClassification } from '@tfjs-peft/datasets';
import { accuracy, f1 } from '@tfjs-peft/metrics';
import { METHODS, runMethod, runSummary, writeComparison, learningRateFor, type RunResult } from '@tfjs-peft/example-shared';
import { TRAINING_OPTIONS, PRECISION_OPTIONS, backendOption, trainingSettings } from '@tfjs-peft/example-shared/options';
import { defineCli, runMain } from '@tfjs-peft/example-shared/cli';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EMBEDDED_MODEL = `${ROOT}assets/bert-tiny-tfjs-peft`;
export const EMBEDDED_DATA = `${ROOT}data/spam-assassin`;

export const DEMO_CLI = defineCli({
  command: 'npm run demo --',
  summary:
    'Fine-tune a BERT checkpoint (the embedded one by default) on a TSV classification task (the embedded SpamAssassin slice by default) with several methods; print and write the comparison table and a loss-curve plot.',
  options: {
    model: { type: 'string', help: 'HF BERT checkpoint folder', default: EMBEDDED_MODEL, defaultLabel: 'the embedded bert-tiny-tfjs-peft', value: 'folder' },
    train: {
      type: 'string',
      help: 'training TSV (header; label + text or sentence columns)',
      default: `${EMBEDDED_DATA}/train.tsv`,
      defaultLabel: 'the embedded SpamAssassin train.tsv',
      value: 'file',
    },
    dev: { type: 'string', help: 'dev TSV, same columns and labels', default: `${EMBEDDED_DATA}/dev.tsv`, defaultLabel: 'the embedded SpamAssassin dev.tsv', value: 'file' },
    methods: { type: 'string', help: `methods to compare, comma-separated (${Object.keys(METHODS).join(', ')})`, default: 'full,ln-tuning,lora,ia3', value: 'list' },
    ...TRAINING_OPTIONS,
    ...PRECISION_OPTIONS,
    backend: backendOption('wasm'),
    out: { type: 'string', help: 'folder for results.md, loss-curves.svg and one log per method', default: './runs/demo', value: 'folder' },
  },
});

export async function main(argv: string[]): Promise<RunResult[]> {
  const { values: a } = DEMO_CLI.parse(argv);
  const methods = a.methods!.split(',');
  for (const m of methods) if (!METHODS[m]) throw new Error(`--methods: ${m} is not one of ${Object.keys(METHODS).join(', ')}`);
  const t0 = performance.now();
  const hidden = (JSON.parse(await readFile(`${a.model}/config.json`, 'utf8')) as { hidden_size?: number }).hidden_size ?? 768;
  const precision = a['frozen-precision'];
  if (precision !== 'float32' && precision !== 'bf16') throw new Error(`--frozen-precision: expected float32 or bf16, got ${precision}`);
  if (a['first-token-only'] !== 'on' && a['first-token-only'] !== 'off') throw new Error(`--first-token-only: expected on or off, got ${a['first-token-only']}`);
  const backend = await initBackend(a.backend as BackendChoice, { frozenMatMulPrecision: precision });
  const tokenizer = await BertTokenizer.fromPretrained(a.model!);
  const train = await loadTsvClassification(a.train!, { name: 'train' });
  if (a['train-limit']) train.examples = train.examples.slice(0, Number(a['train-limit']));
  const dev = await loadTsvClassification(a.dev!, { name: 'dev', labelNames: train.labelNames! });
  const isEmbedded = a.train === `${EMBEDDED_DATA}/train.tsv`;
  const taskName = isEmbedded ? 'SpamAssassin' : 'task';
  console.log(
    `${taskName}: ${train.examples.length} train, ${dev.examples.length} dev examples (labels ${train.labelNames!.join(', ')}); backend ${backend.name}${backend.native ? ` (matrix products: native ${backend.native})` : ''}${precision === 'bf16' ? `; frozen weights' products: ${bf16MatMul() ? `bf16 (${bf16MatMul()})` : 'float32 (bf16 needs @tfjs-peft/native)'}` : ''}; model ${a.model === EMBEDDED_MODEL ? 'embedded bert-tiny-tfjs-peft' : a.model}`,
  );
  const binary = train.labelNames!.length === 2;
  const rows: RunResult[] = [];
  for (const method of methods) {
    console.log(`\n== ${method}`);
    const r = await runMethod({
      modelDir: a.model!,
      tokenizer,
      train,
      dev,
      method,
      ...trainingSettings(a),
      // per-method rates; small models (hidden ≤ 256, like the embedded one) get the higher SMALL_MODEL_LR set
      lr: a.lr ? Number(a.lr) : learningRateFor(method, a['lr-preset'] as 'auto', hidden),
      evalEvery: 0,
      outputDir: a.out!,
      firstTokenOnly: a['first-token-only'] === 'on',
      metrics: (p, r): Record<string, number> => (binary ? { accuracy: accuracy(p, r), f1: f1(p, r) } : { accuracy: accuracy(p, r), macro_f1: f1(p, r, { average: 'macro' }) }),
    });
    rows.push(r);
    console.log(runSummary(r));
  }
  const table = await writeComparison(a.out, taskName, `${taskName}: training loss`, rows);
  console.log(`\n${table}`);
  console.log(`\nwrote ${a.out}/results.md and ${a.out}/loss-curves.svg; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
  return rows;
}

runMain(import.meta.url, main);
