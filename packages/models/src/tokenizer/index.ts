export {
  AutoTokenizer,
  PreTrainedTokenizer,
  type ApplyChatTemplateOptions,
  type AutoTokenizerOptions,
  type BatchEncoding,
  type BatchOptions,
  type DecodeOptions,
  type EncodeOptions,
  type Padding,
  type TensorEncoding,
  type Truncation,
} from './auto-tokenizer';
export { TokenizerConfigError, TokenizerInputError } from './errors';
export type { TokenizerFiles, TokenizerSources } from './load';
export type { ChatMessage, RenderChatOptions } from './chat-template';
export type { Side } from './settings';
export type { TruncationStrategy } from './post-process';
