export { Dataset, batches, batchIndices, permutation, seededRandom, type BatchOptions } from './dataset';
export { collateText, type BatchTokenizer, type TextBatch } from './collate';
export { parseTsv } from './tsv';
export { DataFormatError } from './errors';
export { loadGlue, type GlueExample, type GlueSplit } from './glue/load-glue';
export { GLUE, GLUE_TASK_NAMES, type GlueTaskSpec } from './glue/tasks';
export { maskTokens, type MlmOptions } from './mlm';
export { IterableDataset, linesOf } from './streaming';
export { loadTsvClassification, type TsvClassificationOptions } from './text-classification';
export { decodeImage, readImage, type DecodedImage } from './med/decode-image';
export { vqaSummary, type VqaItem, type VqaSplit } from './med/vqa-item';
export { loadVqaRad } from './med/vqa-rad';
export { loadSlake } from './med/slake';
export { loadMileInstructions, drawPrompt, type InstructionItem } from './med/mile-instructions';
export { loadIuXray, type ReportItem } from './med/iu-xray';
export {
  CausalLmInputError,
  IGNORE_INDEX,
  formatChat,
  collateCausalLm,
  packSequences,
  collatePacked,
  lengthGroupedBatches,
  lengthGroupedIndices,
  type TokenizedExample,
  type ChatTemplateTokenizer,
  type FormatChatOptions,
  type SftExample,
  type SftMessage,
  type CausalLmBatch,
  type CollateCausalLmOptions,
  type PackOptions,
  type PackedBlock,
  type LengthGroupedOptions,
} from './causal-lm';
