import * as tf from '@tensorflow/tfjs-core';
import type { FisherKind } from './log-likelihood';
import type { FisherOptions, FisherResult } from './fisher-result';
import { FisherError } from './errors';

/** Sums of squared per-example gradients per parameter, in float64 on the CPU; `result` divides by the example count. */
export class FisherAccumulator {
  private readonly sums: Float64Array[];
  examples = 0;
  batches = 0;

  constructor(
    private readonly names: string[],
    private readonly shapes: number[][],
  ) {
    this.sums = shapes.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)));
  }

  /** Adds one batch: `squares[i]` is the flat sum over the batch's examples of squared gradients of parameter i (disposed here). */
  async add(squares: tf.Tensor[]): Promise<void> {
    const data = await Promise.all(squares.map((t) => t.data()));
    tf.dispose(squares);
    data.forEach((d, i) => {
      const a = this.sums[i]!;
      for (let k = 0; k < a.length; k++) a[k]! += d[k]!;
    });
  }

  /** Counts a finished batch of `n` examples, reports progress; true when `maxExamples` is reached. */
  endBatch(n: number, o: Pick<FisherOptions<unknown>, 'onProgress' | 'maxExamples'>): boolean {
    this.examples += n;
    this.batches++;
    o.onProgress?.({ batches: this.batches, examples: this.examples });
    return !!o.maxExamples && this.examples >= o.maxExamples;
  }

  result(kind: FisherKind, who: string): FisherResult {
    if (!this.examples) throw new FisherError('NO_EXAMPLES', `${who}: the loader yielded no examples`);
    const values = new Map<string, Float64Array>();
    const shapes = new Map<string, number[]>();
    this.names.forEach((name, i) => {
      const a = this.sums[i]!;
      for (let k = 0; k < a.length; k++) a[k]! /= this.examples;
      values.set(name, a);
      shapes.set(name, this.shapes[i]!);
    });
    return { kind, examples: this.examples, values, shapes };
  }
}
