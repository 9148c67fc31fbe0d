export { runMethod, type RunOptions, type RunResult } from './run-method';
export { METHODS } from './methods';
export { resultTable } from './table';
export { lossCurvesSvg } from './plot';
