export { RobertaModel, RobertaForSequenceClassification, RobertaForMaskedLM, RobertaClassificationHead, RobertaLMHead } from './roberta';
