import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import type { Module } from '@tfjs-peft/core';
import type { BertTokenizer } from '@tfjs-peft/models/bert';
import { Dataset, batches, collateText, type GlueExample, type TextBatch } from '@tfjs-peft/datasets';
import { layerNormFisher, type FisherKind, type FisherResult } from '@tfjs-peft/fisher';

interface FisherBatch {
  text: TextBatch;
  labels: number[];
}

/**
 * The diagonal LayerNorm Fisher of a sequence classifier over `examples`, with a progress bar.
 */
export async function fisherOf(
  model: Module & { forward(b: TextBatch & { firstTokenOnly?: boolean }): { logits: tf.Tensor } },
  tokenizer: BertTokenizer,
  examples: GlueExample[],
  o: { kind: FisherKind; maxLength: number; batchSize?: number; seed: number; label: string; regression: boolean; progress?: boolean },
): Promise<FisherResult> {
  const batchSize = o.batchSize ?? 16;
  const total = Math.ceil(examples.length / batchSize);
  const bar =
    o.progress === false
      ? null
      : new cliProgress.SingleBar({ format: `${o.label.padEnd(16)} {bar} {value}/{total} batches | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar?.start(total, 0);
  function* loader(): Generator<FisherBatch> {
    for (const ex of batches(Dataset.from(examples), { batchSize })) {
      const text = collateText(tokenizer, ex, { maxLength: o.maxLength, regression: o.regression });
      try {
        yield { text, labels: ex.map((e) => e.label!) };
      } finally {
        tf.dispose([text.inputIds, text.attentionMask, text.tokenTypeIds, ...(text.labels ? [text.labels] : [])]);
      }
    }
  }
  try {
    return await layerNormFisher(model, loader(), {
      // the last layer for [CLS] only: the same logits and LayerNorm gradients, less work
      forward: (b) => model.forward({ ...b.text, labels: undefined, firstTokenOnly: true }).logits,
      labels: (b) => b.labels,
      kind: o.kind,
      seed: o.seed,
      onProgress: ({ batches: n }) => bar?.update(n),
    });
  } finally {
    bar?.stop();
  }
}

/** k folds of the examples (a seeded shuffle, then contiguous slices). */
export function folds<T>(items: T[], k: number, seed: number): T[][] {
  const order = items.map((_, i) => i);
  let s = seed;
  for (let i = order.length - 1; i > 0; i--) {
    s = (s * 16807) % 2147483647;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return Array.from({ length: k }, (_, f) => order.filter((_, i) => i % k === f).map((i) => items[i]!));
}
