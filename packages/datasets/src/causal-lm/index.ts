export { CausalLmInputError } from './errors';
export { IGNORE_INDEX, type TokenizedExample } from './tokenized';
export { formatChat, type ChatTemplateTokenizer, type FormatChatOptions, type SftExample, type SftMessage } from './format-chat';
export { collateCausalLm, type CausalLmBatch, type CollateCausalLmOptions } from './collate-causal-lm';
export { packSequences, collatePacked, type PackOptions, type PackedBlock } from './pack-sequences';
export { lengthGroupedBatches, lengthGroupedIndices, type LengthGroupedOptions } from './length-grouped';
