/**
 * The training job the page runs: the same @tfjs-peft packages and Trainer as in Node. Loads a
 * BERT checkpoint and two TSV splits, applies ln-tuning or LoRA, trains with live callbacks,
 * evaluates, and writes the adapter (PEFT format) into a MemoryFolder for download.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MemoryFolder, countParameters, manualSeed, type FileLocation } from '@tfjs-peft/core';
import { BertForSequenceClassification, BertTokenizer } from '@tfjs-peft/models/bert';
import { applyPeft, type PeftConfig, type PeftModel } from '@tfjs-peft/adapters';
import { Dataset, batches, collateText, loadTsvClassification, type GlueSplit, type TextBatch } from '@tfjs-peft/datasets';
import { accuracy, f1 } from '@tfjs-peft/metrics';
import { Trainer, type StepLog } from '@tfjs-peft/train';

export type PageMethod = 'ln-tuning' | 'lora';

export const METHOD_CONFIGS: Record<PageMethod, PeftConfig> = {
  'ln-tuning': { method: 'ln-tuning' },
  lora: { method: 'lora', r: 8, loraAlpha: 16, loraDropout: 0.1 },
};

export interface JobSpec {
  model: FileLocation;
  train: FileLocation;
  dev: FileLocation;
  method: PageMethod;
  steps: number;
  batchSize: number;
  maxLength: number;
  learningRate: number;
  /** use the first N examples of each split (0 = all) */
  trainLimit: number;
  devLimit: number;
  /** evaluate on dev every N steps (0 = only at the end) */
  evalEvery: number;
  seed: number;
}

export interface JobHooks {
  status(text: string): void;
  step(log: StepLog, total: number): void | Promise<void>;
  evaluated(step: number, metrics: Record<string, number>): void;
}

export interface JobResult {
  losses: number[];
  metrics: Record<string, number>;
  history: { step: number; metrics: Record<string, number> }[];
  trainable: string;
  stepMs: number;
  /** logits of the first dev examples after training, to check the downloaded adapter against */
  probe: { texts: string[]; maxLength: number; logits: number[][] };
  adapter: MemoryFolder;
}

/** Yields to the browser so progress and charts repaint between steps (wasm kernels block the page). */
const nextFrame = () => new Promise<void>((r) => setTimeout(r, 0));

async function predict(model: PeftModel, tokenizer: BertTokenizer, split: GlueSplit, maxLength: number): Promise<number[][]> {
  model.eval();
  const rows: number[][] = [];
  for (const batch of batches(Dataset.from(split.examples), { batchSize: 16 })) {
    const b = collateText(tokenizer, batch, { maxLength });
    const logits = tf.tidy(() => (model.forward({ ...b, labels: undefined, firstTokenOnly: true }) as { logits: tf.Tensor }).logits);
    const v = await logits.data();
    const k = logits.shape[1]!;
    for (let i = 0; i < batch.length; i++) rows.push(Array.from(v.subarray(i * k, (i + 1) * k)));
    tf.dispose([logits, b.inputIds, b.attentionMask, b.tokenTypeIds, ...(b.labels ? [b.labels] : [])]);
    await nextFrame();
  }
  model.train();
  return rows;
}

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

function scores(logits: number[][], split: GlueSplit): Record<string, number> {
  const p = logits.map(argmax);
  const r = split.examples.map((e) => e.label!);
  return split.labelNames!.length === 2 ? { accuracy: accuracy(p, r), f1: f1(p, r) } : { accuracy: accuracy(p, r), macro_f1: f1(p, r, { average: 'macro' }) };
}

export async function runJob(spec: JobSpec, hooks: JobHooks): Promise<JobResult> {
  hooks.status('loading the tokenizer and data…');
  const tokenizer = await BertTokenizer.fromPretrained(spec.model);
  const train = await loadTsvClassification(spec.train, { name: 'train' });
  const dev = await loadTsvClassification(spec.dev, { name: 'dev', labelNames: train.labelNames! });
  if (spec.trainLimit > 0) train.examples = train.examples.slice(0, spec.trainLimit);
  if (spec.devLimit > 0) dev.examples = dev.examples.slice(0, spec.devLimit);

  hooks.status('loading the checkpoint…');
  manualSeed(spec.seed);
  const model = await BertForSequenceClassification.fromPretrained(spec.model, {
    config: { num_labels: train.labelNames!.length, id2label: undefined, label2id: undefined },
    ignoreMismatchedSizes: true,
    onWarning: () => undefined,
  });
  const peft = applyPeft(model, METHOD_CONFIGS[spec.method]);
  const counts = countParameters(peft);
  const trainable = `trainable params: ${counts.trainable.toLocaleString('en-US')} || all params: ${counts.total.toLocaleString('en-US')} || trainable%: ${counts.trainablePercent.toFixed(4)}`;
  peft.train();

  const history: JobResult['history'] = [];
  const stepTimes: number[] = [];
  const ds = Dataset.from(train.examples);
  const trainer = new Trainer<TextBatch>({
    model: peft,
    // the last layer for [CLS] only: the same logits and gradients as every token's, less work per step
    loss: (b) => peft.forward({ ...b, firstTokenOnly: true }).loss as tf.Scalar,
    batches: (epoch) =>
      (function* () {
        for (const ex of batches(ds, { batchSize: spec.batchSize, shuffle: true, seed: spec.seed, epoch })) {
          const b = collateText(tokenizer, ex, { maxLength: spec.maxLength });
          try {
            yield b;
          } finally {
            tf.dispose([b.inputIds, b.attentionMask, b.tokenTypeIds, ...(b.labels ? [b.labels] : [])]);
          }
        }
      })(),
    maxSteps: spec.steps,
    learningRate: spec.learningRate,
    schedule: 'linear',
    warmupSteps: Math.round(spec.steps * 0.06),
    maxGradNorm: 1,
    evaluate: async () => scores(await predict(peft, tokenizer, dev, spec.maxLength), dev),
    evalEvery: spec.evalEvery,
    tokensInBatch: (b) => b.inputIds.size,
    seed: spec.seed,
    progress: false,
    callbacks: {
      onStep: async (log) => {
        stepTimes.push(log.stepMs);
        await hooks.step(log, spec.steps);
        await nextFrame();
      },
      onEvaluate: (step, metrics) => {
        history.push({ step, metrics });
        hooks.evaluated(step, metrics);
      },
    },
  });
  hooks.status('training…');
  const result = await trainer.train();
  trainer.dispose();

  hooks.status('evaluating…');
  const logits = await predict(peft, tokenizer, dev, spec.maxLength);
  const metrics = scores(logits, dev);
  if (history.at(-1)?.step !== spec.steps) {
    history.push({ step: spec.steps, metrics });
    hooks.evaluated(spec.steps, metrics);
  }
  const probeCount = Math.min(8, dev.examples.length);

  hooks.status('writing the adapter…');
  const adapter = new MemoryFolder('tfjs-peft-adapter');
  await peft.save(adapter, { baseModel: typeof spec.model === 'string' ? spec.model : String(spec.model) });
  peft.dispose();
  stepTimes.sort((a, b) => a - b);
  return {
    losses: result.losses,
    metrics,
    history,
    trainable,
    stepMs: stepTimes[Math.floor(stepTimes.length / 2)] ?? 0,
    probe: { texts: dev.examples.slice(0, probeCount).map((e) => e.textA), maxLength: spec.maxLength, logits: logits.slice(0, probeCount) },
    adapter,
  };
}
