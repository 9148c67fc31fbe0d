export { runMethod, type RunOptions, type RunResult } from './run-method';
export { METHODS, SMALL_MODEL_LR, learningRateFor } from './methods';
export { resultTable } from './table';
export { lossCurvesSvg } from './plot';
