export { Trainer, TrainingDivergedError, type TrainerOptions, type TrainerCallbacks, type TrainResult, type StepLog } from './trainer';
export { AdamW, type AdamWOptions } from './optim/adamw';
export { SGD } from './optim/sgd';
export { decayFor, type Optimizer, type OptimizerState, type ParamEntry } from './optim/optimizer';
export { learningRate, type ScheduleName } from './schedule';
export { clipGradNorm, globalGradNorm } from './clip';
export { saveCheckpoint, loadCheckpoint, validateCheckpoint, recoverCheckpoints, latestCheckpoint, isCompleteCheckpoint, CheckpointError, type TrainerState, type ValidatedCheckpoint } from './checkpoint';
export { ProgressBar } from './progress';
