/**
 * Fine-tune a BERT checkpoint on a GLUE task with one or several methods, each once per seed, and
 * print the comparison table (dev metrics as mean ± std over the seeds, a majority-class baseline
 * row, trainable %, peak memory, step time, wall time) and a loss-curve plot.
 *
 *   pnpm --filter @tfjs-peft/example-glue start -- --task RTE --data ./glue_data --model ./bert-base-uncased \
 *     --method full,ln-tuning,lora [--epochs 3] [--seeds 42,43,44] [--lr-grid 1e-4,3e-4,1e-3] [--max-steps N] \
 *     [--backend wasm] [--batch-size 16] [--max-length 128] [--first-token-only on|off]
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { initBackend, type BackendChoice } from '@tfjs-peft/core';
import { bf16MatMul } from '@tfjs-peft/core/kernels';
import { BertTokenizer } from '@tfjs-peft/models/bert';
import { loadGlue } from '@tfjs-peft/datasets';
import {
  METHODS,
  runMethod,
  runSummary,
  learningRateFor,
  majorityBaseline,
  mainGlueMetric,
  pickBestLr,
  parseNumberList,
  scheduleSteps,
  writeSeedComparison,
  type LrSweep,
  type RunOptions,
  type SeededRun,
} from '@tfjs-peft/example-shared';
import { TRAINING_OPTIONS, PRECISION_OPTIONS, backendOption } from '@tfjs-peft/example-shared/options';
import { defineCli, runMain, CliUsageError } from '@tfjs-peft/example-shared/cli';

/** The project's embedded pretrained BERT (assets/bert-tiny-tfjs-peft). */
export const EMBEDDED_MODEL = fileURLToPath(new URL('../../../assets/bert-tiny-tfjs-peft', import.meta.url));

// glue runs several seeds (--seeds) and full epochs (--epochs) instead of the shared --seed and 300 steps
const { seed: _seed, ...TRAINING } = TRAINING_OPTIONS;

export const GLUE_CLI = defineCli({
  command: 'pnpm --filter @tfjs-peft/example-glue start --',
  summary:
    'Fine-tune a BERT checkpoint on a GLUE task with one or several methods, each once per seed; print and write the comparison table (mean ± std over seeds, majority-class baseline) and a loss-curve plot.',
  options: {
    task: { type: 'string', help: 'GLUE task: CoLA, SST-2, MRPC, QQP, STS-B, MNLI, QNLI, RTE or WNLI (required)', value: 'name' },
    data: { type: 'string', help: 'the glue_data folder (one sub-folder per task; required)', value: 'folder' },
    model: { type: 'string', help: 'HF BERT checkpoint folder', default: EMBEDDED_MODEL, defaultLabel: 'the embedded bert-tiny-tfjs-peft', value: 'folder' },
    method: { type: 'string', help: `methods to compare, comma-separated, or all (${Object.keys(METHODS).join(', ')})`, default: 'full,ln-tuning,lora', value: 'list' },
    'eval-every': { type: 'string', help: 'evaluate on dev every n steps (0: at the end only)', default: '0', value: 'n' },
    ...TRAINING,
    epochs: { type: 'string', help: 'passes over the training set per run: steps = ceil(train examples / batch size) × epochs', default: '3', value: 'n' },
    'max-steps': { type: 'string', help: 'optimizer steps per run (0: use --epochs)', default: '0', value: 'n' },
    seeds: { type: 'string', help: 'seeds, comma-separated: every method runs once per seed (head init, shuffling, dropout)', default: '42,43,44', value: 'list' },
    'lr-grid': {
      type: 'string',
      help: 'rates, comma-separated: each method trains once per rate (first seed), the best on dev is used for all seeds',
      value: 'list',
    },
    ...PRECISION_OPTIONS,
    backend: backendOption('auto'),
    out: { type: 'string', help: 'folder for results.md, results.json, loss-curves.svg and the run logs', default: './runs/glue', value: 'folder' },
  },
});

export interface GlueResult {
  runs: SeededRun[];
  sweeps: LrSweep[];
  table: string;
}

export async function main(argv: string[]): Promise<GlueResult> {
  const { values: a } = GLUE_CLI.parse(argv);
  if (!a.task || !a.data) throw new CliUsageError(GLUE_CLI.spec.command, '--task <CoLA|SST-2|MRPC|QQP|STS-B|MNLI|QNLI|RTE|WNLI> and --data <glue_data folder> are required');
  if (!['auto', 'base', 'small'].includes(a['lr-preset']!)) throw new Error(`--lr-preset must be auto, base or small, got ${a['lr-preset']}`);
  if (a.lr && a['lr-grid']) throw new Error('--lr (one rate for every method) and --lr-grid (a sweep per method) exclude each other');
  const hidden = (JSON.parse(await readFile(`${a.model}/config.json`, 'utf8')) as { hidden_size?: number }).hidden_size ?? 768;
  const methods = a.method === 'all' ? Object.keys(METHODS) : a.method!.split(',');
  for (const m of methods) if (!METHODS[m]) throw new Error(`--method ${m} is not one of ${Object.keys(METHODS).join(', ')}`);
  const seeds = parseNumberList('seeds', a.seeds!);
  const grid = a['lr-grid'] ? parseNumberList('lr-grid', a['lr-grid']) : null;
  const epochs = Number(a.epochs);
  const maxStepsOption = Number(a['max-steps']);
  if (!(maxStepsOption > 0) && !(epochs > 0)) throw new Error(`--epochs must be > 0 (or give --max-steps), got ${a.epochs}`);
  const precision = a['frozen-precision'];
  if (precision !== 'float32' && precision !== 'bf16') throw new Error(`--frozen-precision: expected float32 or bf16, got ${precision}`);
  if (a['first-token-only'] !== 'on' && a['first-token-only'] !== 'off') throw new Error(`--first-token-only: expected on or off, got ${a['first-token-only']}`);
  const backend = await initBackend(a.backend as BackendChoice, { frozenMatMulPrecision: precision });
  const tokenizer = await BertTokenizer.fromPretrained(a.model);
  const train = await loadGlue(a.data, a.task, 'train');
  if (a['train-limit']) train.examples = train.examples.slice(0, Number(a['train-limit']));
  const dev = await loadGlue(a.data, a.task, train.task === 'MNLI' ? 'dev_matched' : 'dev');
  const batchSize = Number(a['batch-size']);
  const maxLength = Number(a['max-length']);
  const steps = scheduleSteps(train.examples.length, batchSize, epochs, maxStepsOption);
  const regression = train.labelNames == null;
  console.log(
    `GLUE ${train.task}: ${train.examples.length} train, ${dev.examples.length} dev examples; backend ${backend.name}${backend.native ? ` (matrix products: native ${backend.native})` : ''}${precision === 'bf16' ? `; frozen weights' products: ${bf16MatMul() ? `bf16 (${bf16MatMul()})` : 'float32 (bf16 needs @tfjs-peft/native)'}` : ''}; model ${a.model}`,
  );
  const baseline = majorityBaseline(
    train.task,
    train.examples.map((e) => e.label!),
    dev.examples.map((e) => e.label!),
    { regression },
  );
  const common = (method: string, seed: number, lr: number, outputDir: string): RunOptions => ({
    modelDir: a.model!,
    tokenizer,
    train,
    dev,
    method,
    maxSteps: steps,
    batchSize,
    maxLength,
    seed,
    lr,
    progress: !a['no-progress'],
    evalEvery: Number(a['eval-every']),
    outputDir,
    firstTokenOnly: a['first-token-only'] === 'on',
  });
  const metric = mainGlueMetric(train.task);
  const e = (x: number) => x.toExponential();
  const runs: SeededRun[] = [];
  const sweeps: LrSweep[] = [];
  for (const method of methods) {
    let lr = a.lr ? Number(a.lr) : learningRateFor(method, a['lr-preset'] as 'auto', hidden);
    const bySeed = new Map<number, SeededRun>();
    if (grid) {
      const trials: LrSweep['trials'] = [];
      for (const rate of grid) {
        console.log(`\n== ${method}, lr ${e(rate)} (sweep, seed ${seeds[0]})`);
        const r = await runMethod(common(method, seeds[0]!, rate, `${a.out}/sweep/lr-${e(rate)}`));
        console.log(runSummary(r));
        trials.push({ lr: rate, metrics: r.metrics });
        bySeed.set(rate, { ...r, seed: seeds[0]!, lr: rate });
      }
      lr = pickBestLr(trials, metric);
      sweeps.push({ method, metric, trials, chosen: lr });
      console.log(`${method}: lr ${e(lr)} chosen on dev ${metric}`);
    }
    for (const seed of seeds) {
      // the sweep's run at the chosen rate is the first seed's run: same seed, rate and schedule
      const done = grid && seed === seeds[0] ? bySeed.get(lr) : undefined;
      if (done) {
        runs.push(done);
        continue;
      }
      console.log(`\n== ${method}, seed ${seed}, lr ${e(lr)}`);
      const r = await runMethod(common(method, seed, lr, `${a.out}/seed-${seed}`));
      runs.push({ ...r, seed, lr });
      console.log(runSummary(r));
    }
  }
  const notes = [
    `Budget per run: ${maxStepsOption > 0 ? `${steps} steps (--max-steps)` : `${epochs} epoch${epochs === 1 ? '' : 's'} = ${steps} steps (ceil(${train.examples.length} / ${batchSize}) × ${epochs})`}, batch ${batchSize}, max length ${maxLength}; seeds ${seeds.join(', ')} (n = ${seeds.length}, std is the sample std); model ${a.model}; backend ${backend.name}.`,
    `Metrics on the dev split. ${baseline.name}: predicts ${regression ? `${baseline.prediction.toFixed(4)} (the train mean)` : `label ${baseline.prediction} (the most frequent train label)`} for every dev example.`,
    grid
      ? `Learning rate per method chosen on dev from the grid ${grid.map(e).join(', ')} by ${metric} (first seed), then used for every seed; GLUE test labels are not public, so the choice is made on dev, as papers do.`
      : `Learning rate: ${a.lr ? `${a.lr} for every method (--lr)` : `per method (--lr-preset ${a['lr-preset']})`}.`,
  ];
  const table = await writeSeedComparison(a.out!, {
    task: train.task,
    plotTitle: `GLUE ${train.task}: training loss (seed ${seeds[0]})`,
    runs,
    baseline,
    sweeps,
    notes,
    settings: {
      epochs: maxStepsOption > 0 ? null : epochs,
      steps,
      batchSize,
      maxLength,
      seeds,
      lrGrid: grid,
      lr: a.lr ? Number(a.lr) : null,
      model: a.model,
      backend: backend.name,
      trainExamples: train.examples.length,
      devExamples: dev.examples.length,
    },
  });
  console.log(`\n${table}`);
  console.log(`\nwrote ${a.out}/results.md, results.json and loss-curves.svg`);
  return { runs, sweeps, table };
}

runMain(import.meta.url, main);
