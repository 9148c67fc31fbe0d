import * as tf from '@tensorflow/tfjs-core';
import { TfjsPeftError, getSeedState, setSeedState, manualSeed, type Module } from '@tfjs-peft/core';
import type { Optimizer } from './optim/optimizer';
import { resolveOptimizer, type OptimizerName } from './optim/resolve-optimizer';
import { learningRate, type ScheduleName } from './schedule';
import { firstNonFinite, loadCheckpoint, recoverCheckpoints, saveCheckpoint, type TrainerState } from './checkpoint';
import { ProgressBar } from './progress';
import { TrainStep, type StepLog } from './train-step';
import { TrainingDivergedError } from './training-diverged-error';
import type { LogRecord, LogSink } from './log/log-sink';
import { jsonlFileSink } from './log/jsonl-file-sink';

export { TrainingDivergedError } from './training-diverged-error';
export type { StepLog } from './train-step';

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
  /**
   * A name (`'adamw'`, the default, or `'sgd'`), built over the model's trainable parameters with
   * `weightDecay`/`momentum`; or an `Optimizer` instance (e.g. `new AdamW(model.trainableParameters(),
   * { beta2: 0.98 })`), used as given — `weightDecay`/`momentum` must then be left out. Either way
   * the trainer's schedule sets the learning rate of every update (`apply(grads, lr)`), and
   * checkpoints save and restore its state. An instance stays yours: `trainer.dispose()` frees only
   * an optimizer it built.
   */
  optimizer?: OptimizerName | Optimizer;
  /** peak learning rate of the named schedule (default 5e-5) */
  learningRate?: number;
  weightDecay?: number;
  momentum?: number;
  /**
   * `'linear'` (default), `'cosine'`, `'constant'` with `warmupSteps` (transformers' formulas), or
   * your own `(step) => lr` (0-based optimizer step), as transformers' `optimizers=(opt, sched)`.
   */
  schedule?: ScheduleName | ((step: number) => number);
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
  /** checkpoints (`checkpoint-<step>/`, `best/`) and `log.jsonl` (a `jsonlFileSink`) go here */
  outputDir?: string;
  /**
   * More places the step and evaluation records go (`memorySink()`, `callbackSink(fn)`, your own
   * `LogSink`); with `outputDir` they get the same records as `log.jsonl`. Works in browsers.
   */
  logSinks?: LogSink | LogSink[];
  saveEvery?: number;
  /** tokens in a batch, for tokens/s */
  tokensInBatch?: (batch: B) => number;
  callbacks?: TrainerCallbacks;
  /** progress: a bar on a terminal, plain periodic lines when stdout is not one, nothing when false (default: on in Node unless TFJS_PEFT_DISABLE_PROGRESS_BARS=1; off in browsers) */
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
 * The training loop: each step is a `TrainStep` (gradient accumulation, clipping, the non-finite
 * guards, the update) with AdamW/SGD or your optimizer and a warm-up schedule; around it periodic
 * evaluation, keep-best and early stopping, atomic checkpoints that resume identically (weights,
 * optimizer, schedule, seed stream, data position), log sinks (`log.jsonl`), a progress bar and
 * callbacks. Only `model.trainableParameters()` get gradients.
 */
/**
 * `progress` left unset: on in Node — a bar on a terminal, plain periodic lines when piped to a log —
 * unless `TFJS_PEFT_DISABLE_PROGRESS_BARS` is `1`/`true` (as `HF_HUB_DISABLE_PROGRESS_BARS`); off in
 * browsers, where pages get the numbers from `callbacks.onStep`.
 */
export function progressByDefault(): boolean {
  if (typeof process === 'undefined' || process.versions?.node == null) return false;
  return !/^(1|true|yes|on)$/i.test(process.env.TFJS_PEFT_DISABLE_PROGRESS_BARS ?? '');
}

export class Trainer<B> {
  readonly optimizer: Optimizer;
  private readonly ownsOptimizer: boolean;
  private readonly sinks: LogSink[];
  private state: TrainerState;
  private lastCheckpoint: string | null = null;
  private stopRequested = false;

  constructor(private readonly o: TrainerOptions<B>) {
    const params = o.model.trainableParameters();
    if (!params.length)
      throw new TfjsPeftError(
        'NOTHING_TO_TRAIN',
        (o.model as { frozenReason?: string | null }).frozenReason ??
          'the model has no trainable parameters: everything is frozen (model.freeze(), requiresGrad = false), or it is an adapter loaded with loadPeft / AutoPeftModel*.fromPretrained, which is frozen unless loaded with { isTrainable: true }',
      );
    ({ optimizer: this.optimizer, owned: this.ownsOptimizer } = resolveOptimizer(o.optimizer, params, { weightDecay: o.weightDecay, momentum: o.momentum }));
    this.sinks = [...(o.outputDir ? [jsonlFileSink(`${o.outputDir}/log.jsonl`)] : []), ...(o.logSinks == null ? [] : Array.isArray(o.logSinks) ? o.logSinks : [o.logSinks])];
    if (o.seed != null) manualSeed(o.seed);
    this.state = { step: 0, epoch: 0, batchInEpoch: 0, seedState: getSeedState(), bestMetric: null, bestStep: null, badEvals: 0, history: [] };
  }

  /**
   * Asks a running `train()` to stop after the step in progress: it saves `checkpoint-<step>` (with
   * `outputDir`, unless that step was just saved) and returns with `stoppedEarly: true`, so a run cut
   * by a time limit or a signal resumes exactly from there. Safe to call from a callback or a signal
   * handler; a call before `train()` stops it after its first step.
   */
  stop(): void {
    this.stopRequested = true;
  }

  /** Continues from a checkpoint folder written by this trainer's configuration. */
  async resumeFrom(dir: string): Promise<void> {
    if (this.o.outputDir) await recoverCheckpoints(this.o.outputDir);
    this.state = await loadCheckpoint(dir, this.o.model, this.optimizer);
    setSeedState(this.state.seedState);
    this.lastCheckpoint = dir;
  }

  private lr(step: number): number {
    const s = this.o.schedule ?? 'linear';
    return typeof s === 'function' ? s(step) : learningRate(s, this.o.learningRate ?? 5e-5, step, this.o.maxSteps, this.o.warmupSteps ?? 0);
  }

  private async log(record: LogRecord): Promise<void> {
    for (const sink of this.sinks) await sink.write(record);
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
    const trainStep = new TrainStep({
      optimizer: this.optimizer,
      params: o.model.trainableParameters(),
      maxGradNorm: o.maxGradNorm,
      maxConsecutiveSkippedSteps: o.maxConsecutiveSkippedSteps,
    });
    const bar = new ProgressBar(o.progress ?? progressByDefault());
    const losses: number[] = [];
    let stoppedEarly = false;
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
          const lr = this.lr(this.state.step);
          const tokens = o.tokensInBatch ? micro.reduce((n, b) => n + o.tokensInBatch!(b), 0) : 0;
          let r;
          try {
            r = await trainStep.step(micro, o.loss, { lr, step: this.state.step + 1 });
          } catch (e) {
            // the step knows no checkpoints: name the last good one
            if (e instanceof TrainingDivergedError) throw new TrainingDivergedError(e.step, e.loss, this.lastCheckpoint, e.reason);
            throw e;
          }
          micro = [];
          this.state.step++;
          losses.push(r.loss);
          const stepMs = performance.now() - t0;
          const log: StepLog = {
            step: this.state.step,
            epoch: this.state.epoch,
            loss: r.loss,
            lr,
            gradNorm: r.gradNorm,
            stepMs,
            tokensPerSecond: o.tokensInBatch ? (tokens / stepMs) * 1000 : null,
          };
          if (r.skipped) log.skipped = true;
          bar.update({ step: this.state.step, total: o.maxSteps, loss: r.loss, lr, tokensPerSecond: log.tokensPerSecond });
          await this.log(log);
          await o.callbacks?.onStep?.(log);
          if (o.evaluate && o.evalEvery && this.state.step % o.evalEvery === 0) {
            if (await this.evaluateAndTrack()) {
              stoppedEarly = true;
              break outer;
            }
          }
          const saved = !!o.saveEvery && this.state.step % o.saveEvery === 0;
          if (saved) this.lastCheckpoint = await this.save(`checkpoint-${this.state.step}`);
          if (this.state.step >= o.maxSteps) break outer;
          if (this.stopRequested) {
            if (!saved) this.lastCheckpoint = await this.save(`checkpoint-${this.state.step}`);
            stoppedEarly = true;
            break outer;
          }
        }
        if (!any) throw new TfjsPeftError('NO_DATA', `epoch ${this.state.epoch} produced no batches`);
        this.state.epoch++;
        this.state.batchInEpoch = 0;
      }
    } finally {
      this.stopRequested = false;
      bar.stop();
      for (const sink of this.sinks) await sink.close?.();
    }
    return { steps: this.state.step, losses, history: this.state.history, bestMetric: this.state.bestMetric, bestStep: this.state.bestStep, stoppedEarly };
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

  /** Frees the optimizer's state when the trainer built it (an instance you passed stays yours). */
  dispose(): void {
    if (this.ownsOptimizer) this.optimizer.dispose();
  }
}
