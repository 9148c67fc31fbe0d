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
import { parseArgs } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend, type BackendChoice } from '@tfjs-peft/core';
import { bf16MatMul } from '@tfjs-peft/core/kernels';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { loadTsvClassification } from '@tfjs-peft/datasets';
import { accuracy, f1 } from '@tfjs-peft/metrics';
import { METHODS, runMethod, resultTable, lossCurvesSvg, learningRateFor, type RunResult } from '@tfjs-peft/example-glue';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EMBEDDED_MODEL = `${ROOT}assets/bert-tiny-tfjs-peft`;
export const EMBEDDED_DATA = `${ROOT}data/spam-assassin`;


export async function main(argv: string[]): Promise<RunResult[]> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: EMBEDDED_MODEL },
      train: { type: 'string', default: `${EMBEDDED_DATA}/train.tsv` },
      dev: { type: 'string', default: `${EMBEDDED_DATA}/dev.tsv` },
      methods: { type: 'string', default: 'full,ln-tuning,lora,ia3' },
      'max-steps': { type: 'string', default: '300' },
      'batch-size': { type: 'string', default: '16' },
      'max-length': { type: 'string', default: '128' },
      'train-limit': { type: 'string' },
      lr: { type: 'string' },
      'lr-preset': { type: 'string', default: 'auto' },
      backend: { type: 'string', default: 'wasm' },
      out: { type: 'string', default: './runs/demo' },
      seed: { type: 'string', default: '42' },
      // products with frozen weights (ln-tuning, LoRA/IA3 base layers): float32, or bf16 operands with float32 sums (setFrozenMatMulPrecision)
      'frozen-precision': { type: 'string', default: 'float32' },
      // on: the last layer computed for [CLS] only (same logits and gradients, less work); off: every token, as transformers
      'first-token-only': { type: 'string', default: 'on' },
    },
  });
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
  console.log(`${taskName}: ${train.examples.length} train, ${dev.examples.length} dev examples (labels ${train.labelNames!.join(', ')}); backend ${backend.name}${backend.native ? ` (matrix products: native ${backend.native})` : ''}${precision === 'bf16' ? `; frozen weights' products: ${bf16MatMul() ? `bf16 (${bf16MatMul()})` : 'float32 (bf16 needs @tfjs-peft/native)'}` : ''}; model ${a.model === EMBEDDED_MODEL ? 'embedded bert-tiny-tfjs-peft' : a.model}`);
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
      maxSteps: Number(a['max-steps']),
      batchSize: Number(a['batch-size']),
      maxLength: Number(a['max-length']),
      // per-method rates; small models (hidden ≤ 256, like the embedded one) get the higher SMALL_MODEL_LR set
      lr: a.lr ? Number(a.lr) : learningRateFor(method, a['lr-preset'] as 'auto', hidden),
      evalEvery: 0,
      outputDir: a.out!,
      seed: Number(a.seed),
      firstTokenOnly: a['first-token-only'] === 'on',
      metrics: (p, r): Record<string, number> => (binary ? { accuracy: accuracy(p, r), f1: f1(p, r) } : { accuracy: accuracy(p, r), macro_f1: f1(p, r, { average: 'macro' }) }),
    });
    rows.push(r);
    console.log(`${method}: ${Object.entries(r.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')} (${(r.wallMs / 1000).toFixed(1)} s)`);
  }
  const table = resultTable(taskName, rows);
  console.log(`\n${table}`);
  await mkdir(a.out!, { recursive: true });
  await writeFile(`${a.out}/results.md`, `${table}\n`);
  await writeFile(`${a.out}/loss-curves.svg`, await lossCurvesSvg(`${taskName}: training loss`, rows));
  console.log(`\nwrote ${a.out}/results.md and ${a.out}/loss-curves.svg; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `pnpm … start -- --flag` hands the script a literal `--` first
  main(process.argv.slice(2).filter((x, i) => i > 0 || x !== '--')).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
