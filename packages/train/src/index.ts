export { Trainer, type TrainerOptions, type TrainerCallbacks, type TrainResult } from './trainer';
export { TrainingDivergedError } from './training-diverged-error';
export { TrainStep, createTrainStep, type TrainStepOptions, type TrainStepResult, type TrainStepCall, type StepLog } from './train-step';
export { AdamW, type AdamWOptions } from './optim/adamw';
export { SGD } from './optim/sgd';
export { decayFor, type Optimizer, type OptimizerState, type ParamEntry } from './optim/optimizer';
export { OPTIMIZER_NAMES, OptimizerOptionError, isOptimizer, type OptimizerName } from './optim/resolve-optimizer';
export { learningRate, type ScheduleName } from './schedule';
export { clipGradNorm, globalGradNorm } from './clip';
export { memorySink, callbackSink, type LogSink, type LogRecord, type EvalLog } from './log/log-sink';
export { jsonlFileSink } from './log/jsonl-file-sink';
export {
  saveCheckpoint,
  loadCheckpoint,
  validateCheckpoint,
  recoverCheckpoints,
  latestCheckpoint,
  isCompleteCheckpoint,
  CheckpointError,
  type TrainerState,
  type ValidatedCheckpoint,
} from './checkpoint';
export { ProgressBar, type ProgressInfo, type ProgressOptions } from './progress';
