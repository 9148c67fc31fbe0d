export { parseBertConfig, type BertConfig } from './config';
export { BertEmbeddings } from './embeddings';
export { BertSelfAttention, BertAttention, BertAddNorm, type KeyValuePrefix, type AttentionInputs } from './attention';
export { BertLayer, BertEncoder, BertIntermediate, type EncoderInputs } from './encoder';
export { BertModel, BertPooler, type BertModelOptions, type BertInputs, type BaseModelOutput } from './bert-model';
export {
  BertForSequenceClassification,
  BertForTokenClassification,
  BertForMaskedLM,
  BertLMPredictionHead,
  BertOnlyMLMHead,
  BertPredictionHeadTransform,
  type LabelledInputs,
  type ClassifierOutput,
} from './heads';
export { BertTokenizer, type TokenizeOptions, type BatchEncoding, type TensorEncoding, type Truncation, type Padding } from './tokenizer';
