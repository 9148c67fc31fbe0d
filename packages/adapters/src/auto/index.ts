export { AutoPeftModel, AutoPeftModelForCausalLM, AutoPeftModelForSequenceClassification, AutoPeftModelForTokenClassification, type AutoPeftOptions } from './auto-peft-model';
