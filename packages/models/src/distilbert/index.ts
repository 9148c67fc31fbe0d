export { parseDistilBertConfig, type DistilBertConfig } from './config';
export { describeDistilBert, distilBertComponentOf, DISTILBERT_LAYER_NORM_TARGET } from './describe';
export {
  DistilBertModel,
  DistilBertEmbeddings,
  DistilBertSelfAttention,
  DistilBertFFN,
  DistilBertLayer,
  DistilBertTransformer,
  type DistilBertInputs,
  type DistilBertOutput,
  type DistilBertModelOptions,
} from './distilbert-model';
export { DistilBertForSequenceClassification, DistilBertForMaskedLM, type DistilBertLabelledInputs, type DistilBertHeadOutput } from './heads';
