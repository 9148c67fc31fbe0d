export { runMethod, type RunOptions, type RunResult } from './run-method';
export { METHODS, SMALL_MODEL_LR, learningRateFor } from './methods';
export { resultTable } from './table';
export { lossCurvesSvg, lossCurvesSpec, emaSmooth, emaWeightFor } from './plot';
export { runSummary, writeComparison } from './results';
export { TRAINING_OPTIONS, PRECISION_OPTIONS, backendOption, trainingSettings } from './options';
export { defineCli, helpText, cliArgs, runMain, CliUsageError, CliHelpRequest, type Cli, type CliOption, type CliOptions, type CliSpec, type CliValues } from './cli';
