export { Dataset, batches, batchIndices, permutation, seededRandom, type BatchOptions } from './dataset';
export { collateText, type BatchTokenizer, type TextBatch } from './collate';
export { parseTsv } from './tsv';
export { DataFormatError } from './errors';
export { loadGlue, type GlueExample, type GlueSplit } from './glue/load-glue';
export { GLUE, GLUE_TASK_NAMES, type GlueTaskSpec } from './glue/tasks';
export { maskTokens, type MlmOptions } from './mlm';
export { IterableDataset, linesOf } from './streaming';
export { loadTsvClassification, type TsvClassificationOptions } from './text-classification';
