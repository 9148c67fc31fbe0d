import { TfjsPeftError } from '@tfjs-peft/core';

/**
 * Training diverged and stopped: the loss became NaN or infinite (before applying that update),
 * the gradients stayed non-finite for `maxConsecutiveSkippedSteps` steps, or the weights became
 * non-finite (nothing is saved then). `lastCheckpoint` is the last checkpoint with finite weights
 * (always null when thrown by a bare `TrainStep`, which knows no checkpoints).
 */
export class TrainingDivergedError extends TfjsPeftError {
  /** the message without the checkpoint sentence (to re-throw with a checkpoint) */
  readonly reason: string;
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly lastCheckpoint: string | null,
    reason = `loss is ${loss} at step ${step}; training stopped without applying this update.`,
  ) {
    super('TRAINING_DIVERGED', `${reason} ${lastCheckpoint ? `Last good checkpoint: ${lastCheckpoint}` : 'No checkpoint was saved yet.'}`);
    this.reason = reason;
  }
}
