import * as tf from '@tensorflow/tfjs-core';
import { countParameters, measurePeakBytes, manualSeed, type Module } from '@tfjs-peft/core';
import { BertForSequenceClassification, type BertTokenizer } from '@tfjs-peft/models/bert';
import { applyPeft, type PeftConfig, type PeftModel } from '@tfjs-peft/adapters';
import { Dataset, batches, collateText, type GlueSplit, type TextBatch } from '@tfjs-peft/datasets';
import { glueMetrics } from '@tfjs-peft/metrics';
import { Trainer } from '@tfjs-peft/train';
import { METHODS } from './methods';

export interface RunOptions {
  modelDir: string;
  tokenizer: BertTokenizer;
  train: GlueSplit;
  dev: GlueSplit;
  method: string;
  maxSteps: number;
  batchSize: number;
  maxLength: number;
  lr?: number;
  evalEvery: number;
  outputDir: string;
  seed: number;
  /** dev metrics from predictions and references (default: the GLUE metric of `dev.task`) */
  metrics?: (predictions: number[], references: number[]) => Record<string, number>;
  /** the PEFT config to use instead of the method's default (e.g. ln-tuning with Fisher masks) */
  config?: PeftConfig | null;
  /** called with the trained model (the PEFT wrapper, or the model itself for full fine-tuning) before it is disposed */
  /** called with what trained: the model itself (`full`, selective methods) or its `PeftModel` */
  onTrained?: (model: BertForSequenceClassification | PeftModel<BertForSequenceClassification>) => void | Promise<void>;
  /** training progress: a bar on a terminal, plain lines every ~10 s when stdout is not one (default: the Trainer's, a bar on a TTY only) */
  progress?: boolean;
  /**
   * Compute the last layer for [CLS] only (the model's `firstTokenOnly`: the same logits and
   * gradients, about 5/6 of the last layer's work saved). Default true.
   */
  firstTokenOnly?: boolean;
}

export interface RunResult {
  method: string;
  metrics: Record<string, number>;
  trainablePercent: number;
  trainableParams: number;
  totalParams: number;
  peakBytes: number;
  stepMs: number;
  wallMs: number;
  losses: number[];
}

type Forward = (b: TextBatch) => { logits: tf.Tensor; loss?: tf.Tensor };

async function evaluate(forward: Forward, model: Module, tokenizer: BertTokenizer, dev: GlueSplit, o: RunOptions, regression: boolean): Promise<Record<string, number>> {
  model.eval();
  const preds: number[] = [];
  const refs: number[] = [];
  for (const batch of batches(Dataset.from(dev.examples), { batchSize: 32 })) {
    const b = collateText(tokenizer, batch, { maxLength: o.maxLength, regression });
    const logits = tf.tidy(() => forward({ ...b, labels: undefined }).logits);
    const v = await logits.data();
    const k = logits.shape[1]!;
    for (let i = 0; i < batch.length; i++) {
      const row = Array.from(v.slice(i * k, (i + 1) * k));
      preds.push(regression ? row[0]! : row.indexOf(Math.max(...row)));
      refs.push(batch[i]!.label!);
    }
    tf.dispose([logits, b.inputIds, b.attentionMask, b.tokenTypeIds, ...(b.labels ? [b.labels] : [])]);
  }
  model.train();
  return o.metrics ? o.metrics(preds, refs) : glueMetrics(dev.task, preds, refs);
}

/** Fine-tunes the checkpoint with one method and evaluates on the dev split. */
export async function runMethod(o: RunOptions): Promise<RunResult> {
  const spec = METHODS[o.method];
  if (!spec) throw new Error(`--method ${o.method} is not one of ${Object.keys(METHODS).join(', ')}`);
  const regression = o.train.labelNames == null;
  manualSeed(o.seed);
  const model = await BertForSequenceClassification.fromPretrained(o.modelDir, {
    config: {
      num_labels: regression ? 1 : o.train.labelNames!.length,
      id2label: undefined,
      label2id: undefined,
      problem_type: regression ? 'regression' : 'single_label_classification',
    },
    ignoreMismatchedSizes: true,
    onWarning: () => undefined,
  });
  const config = o.config !== undefined ? o.config : spec.config;
  const trainable = config ? applyPeft(model, config) : model;
  const firstTokenOnly = o.firstTokenOnly ?? true;
  const forward: Forward = (b) => trainable.forward({ ...b, firstTokenOnly });
  trainable.train();
  const ds = Dataset.from(o.train.examples);
  const t0 = performance.now();
  let peak = 0;
  const stepTimes: number[] = [];
  const trainer = new Trainer<TextBatch>({
    model: trainable,
    loss: (b) => forward(b).loss as tf.Scalar,
    batches: (epoch) =>
      (function* () {
        for (const ex of batches(ds, { batchSize: o.batchSize, shuffle: true, seed: o.seed, epoch, length: (e) => (e as { textA: string }).textA.length })) {
          const b = collateText(o.tokenizer, ex, { maxLength: o.maxLength, regression });
          try {
            yield b;
          } finally {
            // also when the trainer stops mid-epoch (the generator is then closed at this yield)
            tf.dispose([b.inputIds, b.attentionMask, b.tokenTypeIds, ...(b.labels ? [b.labels] : [])]);
          }
        }
      })(),
    maxSteps: o.maxSteps,
    learningRate: o.lr ?? spec.lr,
    schedule: 'linear',
    warmupSteps: Math.round(o.maxSteps * 0.06),
    maxGradNorm: 1,
    evaluate: () => evaluate(forward, trainable, o.tokenizer, o.dev, o, regression),
    evalEvery: o.evalEvery,
    outputDir: `${o.outputDir}/${o.method}`,
    tokensInBatch: (b) => b.inputIds.size,
    seed: o.seed,
    callbacks: { onStep: (l) => void stepTimes.push(l.stepMs) },
    progress: o.progress,
  });
  const { result, peakBytes } = await measurePeakBytes(() => trainer.train());
  peak = peakBytes;
  const metrics = await evaluate(forward, trainable, o.tokenizer, o.dev, o, regression);
  const wallMs = performance.now() - t0;
  stepTimes.sort((a, b) => a - b);
  const counts = countParameters(trainable);
  const row: RunResult = {
    method: o.method,
    metrics,
    trainablePercent: counts.trainablePercent,
    trainableParams: counts.trainable,
    totalParams: counts.total,
    peakBytes: peak,
    stepMs: stepTimes[Math.floor(stepTimes.length / 2)] ?? 0,
    wallMs,
    losses: result.losses,
  };
  await o.onTrained?.(trainable);
  trainer.dispose();
  trainable.dispose();
  return row;
}
