import * as tf from '@tensorflow/tfjs-core';
import { TfjsPeftError, getSeedState, setSeedState, manualSeed, variableGrads, type Module } from '@tfjs-peft/core';
import { AdamW } from './optim/adamw';
import { SGD } from './optim/sgd';
import type { Optimizer } from './optim/optimizer';
import { learningRate, type ScheduleName } from './schedule';
import { clipGradNorm, globalGradNorm } from './clip';
import { firstNonFinite, loadCheckpoint, recoverCheckpoints, saveCheckpoint, type TrainerState } from './checkpoint';
import { ProgressBar } from './progress';

/**
 * Training diverged and stopped: the loss became NaN or infinite (before applying that update),
 * the gradients stayed non-finite for `maxConsecutiveSkippedSteps` steps, or the weights became
 * non-finite (nothing is saved then). `lastCheckpoint` is the last checkpoint with finite weights.
 */
export class TrainingDivergedError extends TfjsPeftError {
  constructor(
    readonly step: number,
    loss: number,
    readonly lastCheckpoint: string | null,
    reason = `loss is ${loss} at step ${step}; training stopped without applying this update.`,
  ) {
    super('TRAINING_DIVERGED', `${reason} ${lastCheckpoint ? `Last good checkpoint: ${lastCheckpoint}` : 'No checkpoint was saved yet.'}`);
  }
}

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

export interface TrainerCallbacks {
  onStep?(log: StepLog): void | Promise<void>;
  onEvaluate?(step: number, metrics: Record<string, number>): void | Promise<void>;
  onSave?(dir: string): void | Promise<void>;
}

export interface TrainerOptions<B> {
  /** the model (or PeftModel) whose `trainableParameters()` train */
  model: Module;
  /** loss of one batch (a scalar tensor); runs the forward pass */
  loss: (batch: B) => tf.Scalar;
  /**
   * The batches of an epoch, in a deterministic order for that epoch (resume replays it). The
   * trainer stops reading mid-epoch at `maxSteps`: a generator that frees its batches should do so
   * in `try { yield b } finally { dispose(b) }`, which also runs when the loop stops early.
   */
  batches: (epoch: number) => Iterable<B>;
  maxSteps: number;
  optimizer?: 'adamw' | 'sgd';
  learningRate?: number;
  weightDecay?: number;
  momentum?: number;
  schedule?: ScheduleName;
  warmupSteps?: number;
  gradientAccumulationSteps?: number;
  /** global-norm clipping; 0 or undefined = off */
  maxGradNorm?: number;
  /**
   * A step whose gradient norm is NaN/Inf (with a finite loss) is skipped, as PyTorch AMP's
   * `GradScaler` does: no update, the step still counts. After this many skips in a row training
   * stops with `TrainingDivergedError` (default 10).
   */
  maxConsecutiveSkippedSteps?: number;
  evaluate?: () => Promise<Record<string, number>>;
  evalEvery?: number;
  /** metric for keep-best and early stopping (e.g. 'accuracy'), higher is better unless told */
  metricForBest?: string;
  greaterIsBetter?: boolean;
  earlyStoppingPatience?: number;
  /** checkpoints (`checkpoint-<step>/`, `best/`) and `log.jsonl` go here */
  outputDir?: string;
  saveEvery?: number;
  /** tokens in a batch, for tokens/s */
  tokensInBatch?: (batch: B) => number;
  callbacks?: TrainerCallbacks;
  /** terminal progress bar (default: when stdout is a TTY) */
  progress?: boolean;
  seed?: number;
}

export interface TrainResult {
  steps: number;
  losses: number[];
  history: Record<string, number>[];
  bestMetric: number | null;
  bestStep: number | null;
  stoppedEarly: boolean;
}

/**
 * The training loop: gradient accumulation, clipping, AdamW/SGD with a warm-up schedule, periodic
 * evaluation, keep-best and early stopping, atomic checkpoints that resume identically (weights,
 * optimizer, schedule, seed stream, data position), a JSONL log, a progress bar and callbacks.
 * Only `model.trainableParameters()` get gradients.
 */
export class Trainer<B> {
  readonly optimizer: Optimizer;
  private state: TrainerState;
  private lastCheckpoint: string | null = null;
  /** tokens in the micro-batches of the last step (tokens/s) */
  private lastTokens = 0;

  constructor(private readonly o: TrainerOptions<B>) {
    const params = o.model.trainableParameters();
    if (!params.length) throw new TfjsPeftError('NOTHING_TO_TRAIN', 'the model has no trainable parameters (did you freeze everything?)');
    this.optimizer = (o.optimizer ?? 'adamw') === 'adamw' ? new AdamW(params, { weightDecay: o.weightDecay ?? 0.01 }) : new SGD(params, { momentum: o.momentum, weightDecay: o.weightDecay });
    if (o.seed != null) manualSeed(o.seed);
    this.state = { step: 0, epoch: 0, batchInEpoch: 0, seedState: getSeedState(), bestMetric: null, bestStep: null, badEvals: 0, history: [] };
  }

  /** Continues from a checkpoint folder written by this trainer's configuration. */
  async resumeFrom(dir: string): Promise<void> {
    if (this.o.outputDir) await recoverCheckpoints(this.o.outputDir);
    this.state = await loadCheckpoint(dir, this.o.model, this.optimizer);
    setSeedState(this.state.seedState);
    this.lastCheckpoint = dir;
  }

  private lr(step: number): number {
    return learningRate(this.o.schedule ?? 'linear', this.o.learningRate ?? 5e-5, step, this.o.maxSteps, this.o.warmupSteps ?? 0);
  }

  private async log(entry: object): Promise<void> {
    if (!this.o.outputDir) return;
    const fs = await import('node:fs/promises');
    await fs.mkdir(this.o.outputDir, { recursive: true });
    await fs.appendFile(`${this.o.outputDir}/log.jsonl`, `${JSON.stringify(entry)}\n`);
  }

  private async save(name: string): Promise<string | null> {
    if (!this.o.outputDir) return null;
    const dir = `${this.o.outputDir}/${name}`;
    const bad = (await firstNonFinite(this.o.model.trainableParameters().map(([n, p]) => [n, p.value]))) ?? (await firstNonFinite(this.optimizer.state().slots));
    if (bad) throw new TrainingDivergedError(this.state.step, NaN, this.lastCheckpoint, `"${bad}" has NaN or infinite values at step ${this.state.step}; ${name} was not saved.`);
    this.state.seedState = getSeedState();
    await saveCheckpoint(dir, this.o.model, this.optimizer, this.state);
    await this.o.callbacks?.onSave?.(dir);
    return dir;
  }

  async train(): Promise<TrainResult> {
    const o = this.o;
    const accum = o.gradientAccumulationSteps ?? 1;
    const vars = o.model.trainableParameters().map(([, p]) => p.variable);
    const bar = new ProgressBar(o.progress ?? (typeof process !== 'undefined' && !!process.stdout?.isTTY));
    const losses: number[] = [];
    let stoppedEarly = false;
    let skippedInARow = 0;
    if (o.outputDir) await recoverCheckpoints(o.outputDir);
    await bar.start(o.maxSteps, this.state.step);
    try {
      outer: while (this.state.step < o.maxSteps) {
        let skip = this.state.batchInEpoch;
        let micro: B[] = [];
        let any = false;
        for (const batch of o.batches(this.state.epoch)) {
          if (skip > 0) {
            skip--;
            continue;
          }
          any = true;
          micro.push(batch);
          this.state.batchInEpoch++;
          if (micro.length < accum) continue;
          const t0 = performance.now();
          const { loss, grads } = await this.accumulate(micro, vars);
          micro = [];
          if (!Number.isFinite(loss)) {
            tf.dispose(Object.values(grads));
            throw new TrainingDivergedError(this.state.step + 1, loss, this.lastCheckpoint);
          }
          let g = grads;
          let gradNorm: number | null = null;
          let finite: boolean;
          if (o.maxGradNorm) ({ norm: gradNorm, finite, grads: g } = await clipGradNorm(grads, o.maxGradNorm));
          else finite = Number.isFinite(await globalGradNorm(grads));
          const lr = this.lr(this.state.step);
          if (finite) {
            this.optimizer.apply(g, lr);
            skippedInARow = 0;
          } else if (++skippedInARow >= (o.maxConsecutiveSkippedSteps ?? 10)) {
            tf.dispose(Object.values(g));
            throw new TrainingDivergedError(this.state.step + 1, loss, this.lastCheckpoint, `the gradient norm is non-finite for ${skippedInARow} steps in a row (last at step ${this.state.step + 1}, loss ${loss}); training stopped.`);
          }
          tf.dispose(Object.values(g));
          this.state.step++;
          losses.push(loss);
          const stepMs = performance.now() - t0;
          const log: StepLog = { step: this.state.step, epoch: this.state.epoch, loss, lr, gradNorm, stepMs, tokensPerSecond: o.tokensInBatch ? (this.lastTokens / stepMs) * 1000 : null };
          if (!finite) log.skipped = true;
          bar.update({ step: this.state.step, total: o.maxSteps, loss, lr, tokensPerSecond: log.tokensPerSecond });
          await this.log(log);
          await o.callbacks?.onStep?.(log);
          if (o.evaluate && o.evalEvery && this.state.step % o.evalEvery === 0) {
            if (await this.evaluateAndTrack()) {
              stoppedEarly = true;
              break outer;
            }
          }
          if (o.saveEvery && this.state.step % o.saveEvery === 0) this.lastCheckpoint = await this.save(`checkpoint-${this.state.step}`);
          if (this.state.step >= o.maxSteps) break outer;
        }
        if (!any) throw new TfjsPeftError('NO_DATA', `epoch ${this.state.epoch} produced no batches`);
        this.state.epoch++;
        this.state.batchInEpoch = 0;
      }
    } finally {
      bar.stop();
    }
    return { steps: this.state.step, losses, history: this.state.history, bestMetric: this.state.bestMetric, bestStep: this.state.bestStep, stoppedEarly };
  }

  /** Sums the gradients of `micro` batches, each loss divided by their count (HF's accumulation). */
  private async accumulate(micro: B[], vars: tf.Variable[]): Promise<{ loss: number; grads: Record<string, tf.Tensor> }> {
    let total = 0;
    let sum: Record<string, tf.Tensor> = {};
    this.lastTokens = 0;
    for (const b of micro) {
      const { value, grads } = variableGrads(() => tf.div(this.o.loss(b), micro.length) as tf.Scalar, vars);
      total += (await value.data())[0]!;
      value.dispose();
      if (this.o.tokensInBatch) this.lastTokens += this.o.tokensInBatch(b);
      if (!Object.keys(sum).length) sum = grads;
      else {
        for (const [k, g] of Object.entries(grads)) {
          const prev = sum[k];
          sum[k] = prev ? tf.add(prev, g) : g;
          if (prev) {
            prev.dispose();
            g.dispose();
          }
        }
      }
    }
    return { loss: total, grads: sum };
  }

  /** Evaluates, records history, keeps the best checkpoint; returns true when early stopping triggers. */
  private async evaluateAndTrack(): Promise<boolean> {
    const o = this.o;
    const metrics = await o.evaluate!();
    this.state.history.push({ step: this.state.step, ...metrics });
    await this.log({ step: this.state.step, eval: metrics });
    await o.callbacks?.onEvaluate?.(this.state.step, metrics);
    if (!o.metricForBest) return false;
    const v = metrics[o.metricForBest];
    if (v == null) throw new TfjsPeftError('UNKNOWN_METRIC', `metricForBest "${o.metricForBest}" is not among the evaluation metrics: ${Object.keys(metrics).join(', ')}`);
    const better = this.state.bestMetric == null || ((o.greaterIsBetter ?? true) ? v > this.state.bestMetric : v < this.state.bestMetric);
    if (better) {
      this.state.bestMetric = v;
      this.state.bestStep = this.state.step;
      this.state.badEvals = 0;
      await this.save('best');
    } else {
      this.state.badEvals++;
    }
    return o.earlyStoppingPatience != null && this.state.badEvals >= o.earlyStoppingPatience;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
