export { AUTO_TASKS, type AutoTask } from './tasks';
export { AutoModelError } from './errors';
export { AutoConfig, modelTypeOf, type AutoConfigResult } from './auto-config';
export { AUTO_MODEL_REGISTRY, autoModelClassOf, autoModelTypes, type AutoModelClass, type AutoModelRegistry } from './registry';
export {
  AutoModel,
  AutoModelForPreTraining,
  AutoModelForCausalLM,
  AutoModelForMaskedLM,
  AutoModelForSequenceClassification,
  AutoModelForTokenClassification,
  AutoModelForImageClassification,
  AutoModelForVisualQuestionAnswering,
  AutoModelForImageTextToText,
  AUTO_MODELS,
  type AutoModelFactory,
  type AutoModelInstance,
} from './auto-model';
