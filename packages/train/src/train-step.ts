import * as tf from '@tensorflow/tfjs-core';
import { TfjsPeftError, variableGrads, type Parameter } from '@tfjs-peft/core';
import type { Optimizer } from './optim/optimizer';
import { clipGradNorm, globalGradNorm } from './clip';
import { TrainingDivergedError } from './training-diverged-error';

export interface StepLog {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number | null;
  stepMs: number;
  tokensPerSecond: number | null;
  /** present (true) when the gradient norm was NaN/Inf and the update was skipped */
  skipped?: boolean;
}

export interface TrainStepOptions {
  optimizer: Optimizer;
  /**
   * The parameters that get gradients (and whose global norm is clipped); default: the
   * optimizer's. The trainer passes `model.trainableParameters()`.
   */
  params?: [string, Parameter][];
  /** global-norm clipping (`torch.nn.utils.clip_grad_norm_`); 0 or undefined = off */
  maxGradNorm?: number;
  /**
   * A step whose gradient norm is NaN/Inf (with a finite loss) is skipped, as PyTorch AMP's
   * `GradScaler` does: no update. After this many skips in a row `step` throws
   * `TrainingDivergedError` (default 10).
   */
  maxConsecutiveSkippedSteps?: number;
}

export interface TrainStepResult {
  /** the loss of the whole (accumulated) batch: the mean of the micro-batch losses */
  loss: number;
  /** the global gradient norm before clipping; null when clipping is off */
  gradNorm: number | null;
  /** the gradients were non-finite and no update was applied */
  skipped: boolean;
}

export interface TrainStepCall {
  /** the learning rate of this update (your schedule's value) */
  lr: number;
  /** the 1-based step number for error messages (default: this TrainStep's own count + 1) */
  step?: number;
}

/**
 * One optimizer step of a training loop, the same one `Trainer` runs: the gradients of every
 * micro-batch (each loss divided by their count, as transformers' gradient accumulation),
 * global-norm clipping, the non-finite guards and the optimizer update. No tensor outlives a call.
 *
 * - A NaN/Inf loss throws `TrainingDivergedError` before anything is applied.
 * - A NaN/Inf gradient norm with a finite loss skips the update (`skipped: true`; the optimizer's
 *   own step count does not move); `maxConsecutiveSkippedSteps` skips in a row throw.
 */
export class TrainStep {
  /** steps taken (applied or skipped) */
  steps = 0;
  /** non-finite gradient steps in a row so far */
  skippedInARow = 0;
  readonly optimizer: Optimizer;
  private readonly vars: tf.Variable[];

  constructor(private readonly o: TrainStepOptions) {
    this.optimizer = o.optimizer;
    this.vars = (o.params ?? o.optimizer.params.map((e) => [e.name, e.param] as [string, Parameter])).map(([, p]) => p.variable);
  }

  /** Runs one step over `microBatches` (one batch, or several accumulated into one update). */
  async step<B>(microBatches: readonly B[], loss: (batch: B) => tf.Scalar, call: TrainStepCall): Promise<TrainStepResult> {
    const stepNo = call.step ?? this.steps + 1;
    const { loss: value, grads } = await this.accumulate(microBatches, loss);
    if (!Number.isFinite(value)) {
      tf.dispose(Object.values(grads));
      throw new TrainingDivergedError(stepNo, value, null);
    }
    let g = grads;
    try {
      let gradNorm: number | null = null;
      let finite: boolean;
      if (this.o.maxGradNorm) ({ norm: gradNorm, finite, grads: g } = await clipGradNorm(grads, this.o.maxGradNorm));
      else finite = Number.isFinite(await globalGradNorm(grads));
      this.steps++;
      if (finite) {
        this.optimizer.apply(g, call.lr);
        this.skippedInARow = 0;
      } else if (++this.skippedInARow >= (this.o.maxConsecutiveSkippedSteps ?? 10)) {
        throw new TrainingDivergedError(
          stepNo,
          value,
          null,
          `the gradient norm is non-finite for ${this.skippedInARow} steps in a row (last at step ${stepNo}, loss ${value}); training stopped.`,
        );
      }
      return { loss: value, gradNorm, skipped: !finite };
    } finally {
      tf.dispose(Object.values(g));
    }
  }

  /** Sums the gradients of the micro-batches, each loss divided by their count (HF's accumulation). */
  private async accumulate<B>(micro: readonly B[], loss: (batch: B) => tf.Scalar): Promise<{ loss: number; grads: Record<string, tf.Tensor> }> {
    if (!micro.length) throw new TfjsPeftError('NO_DATA', 'TrainStep.step: microBatches expected at least one batch, got none');
    let total = 0;
    let sum: Record<string, tf.Tensor> = {};
    try {
      for (const b of micro) {
        const { value, grads } = variableGrads(() => tf.div(loss(b), micro.length) as tf.Scalar, this.vars);
        try {
          total += (await value.data())[0]!;
        } finally {
          value.dispose();
        }
        for (const [k, gk] of Object.entries(grads)) {
          const prev = sum[k];
          if (!prev) sum[k] = gk;
          else {
            sum[k] = tf.add(prev, gk);
            prev.dispose();
            gk.dispose();
          }
        }
      }
    } catch (e) {
      tf.dispose(Object.values(sum));
      throw e;
    }
    return { loss: total, grads: sum };
  }
}

/** `new TrainStep(options)`: the training step for a custom loop. */
export function createTrainStep(options: TrainStepOptions): TrainStep {
  return new TrainStep(options);
}
