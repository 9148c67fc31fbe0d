import { resolvePretrained, type FileLocation } from '@tfjs-peft/core';
import { configLabel, setConfigLabel, type RawConfig } from '../common/config';
import type { FromPretrainedOptions } from '../common/pretrained';
import { AutoConfig, modelTypeOf } from './auto-config';
import { AutoModelError } from './errors';
import { autoModelClassOf, autoModelTypes, type AutoModelClass, type AutoModelRegistry } from './registry';
import { AUTO_TASKS, type AutoTask } from './tasks';

/** The instance types a task can return (`LlamaForCausalLM | Qwen2ForCausalLM` for causal LM). */
export type AutoModelInstance<T extends AutoTask> = InstanceOf<AutoModelRegistry[T][keyof AutoModelRegistry[T]]>;

type InstanceOf<C> = C extends abstract new (...args: never[]) => infer I ? I : never;

/** One Auto class: picks the task's class by the config's `model_type` (`AUTO_MODEL_REGISTRY`). */
export interface AutoModelFactory<T extends AutoTask> {
  readonly task: T;
  /** The class for a config (or a model_type): transformers' `_get_model_class`; `AutoModelError` if none. */
  classFor(configOrModelType: RawConfig | string): AutoModelClass;
  /**
   * Reads `config.json` (merged with `options.config`, which may change `model_type`), picks the
   * class and calls its `fromPretrained(dirOrUrl, options)` with the same options.
   */
  fromPretrained(dirOrUrl: FileLocation, options?: FromPretrainedOptions): Promise<AutoModelInstance<T>>;
  /** A new model with fresh weights from a config (transformers' `from_config`). */
  fromConfig(config: RawConfig): AutoModelInstance<T>;
}

function tasksFor(modelType: string): AutoTask[] {
  return AUTO_TASKS.filter((t) => autoModelClassOf(t, modelType) !== undefined);
}

function autoModel<T extends AutoTask>(task: T): AutoModelFactory<T> {
  const classFor = (configOrModelType: RawConfig | string): AutoModelClass => {
    const isType = typeof configOrModelType === 'string';
    const modelType = isType ? configOrModelType : modelTypeOf(configOrModelType);
    const cls = autoModelClassOf(task, modelType);
    if (cls) return cls;
    const label = isType ? `model_type ${JSON.stringify(modelType)}` : configLabel(configOrModelType);
    throw new AutoModelError(label, modelType, task, autoModelTypes(task), tasksFor(modelType));
  };
  return Object.freeze({
    task,
    classFor,
    async fromPretrained(nameOrPath: FileLocation, options: FromPretrainedOptions = {}) {
      const dirOrUrl = await resolvePretrained(nameOrPath, options); // one hub folder: config and weights at one commit
      const file = await AutoConfig.fromPretrained(dirOrUrl);
      const merged = { ...file, ...(options.config ?? {}) };
      setConfigLabel(merged, configLabel(file));
      return (await classFor(merged).fromPretrained(dirOrUrl, options)) as AutoModelInstance<T>;
    },
    fromConfig(config: RawConfig) {
      const Cls = classFor(config);
      return new Cls(config) as AutoModelInstance<T>;
    },
  });
}

/** transformers' `AutoModel`: the bare base model (`MODEL_MAPPING_NAMES`). */
export const AutoModel = autoModel('AutoModel');
/** transformers' `AutoModelForPreTraining` (`MODEL_FOR_PRETRAINING_MAPPING_NAMES`). */
export const AutoModelForPreTraining = autoModel('AutoModelForPreTraining');
/** transformers' `AutoModelForCausalLM` (`MODEL_FOR_CAUSAL_LM_MAPPING_NAMES`). */
export const AutoModelForCausalLM = autoModel('AutoModelForCausalLM');
/** transformers' `AutoModelForMaskedLM` (`MODEL_FOR_MASKED_LM_MAPPING_NAMES`). */
export const AutoModelForMaskedLM = autoModel('AutoModelForMaskedLM');
/** transformers' `AutoModelForSequenceClassification` (`MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES`). */
export const AutoModelForSequenceClassification = autoModel('AutoModelForSequenceClassification');
/** transformers' `AutoModelForTokenClassification` (`MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES`). */
export const AutoModelForTokenClassification = autoModel('AutoModelForTokenClassification');
/** transformers' `AutoModelForImageClassification` (`MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES`). */
export const AutoModelForImageClassification = autoModel('AutoModelForImageClassification');
/** transformers' `AutoModelForVisualQuestionAnswering` (`MODEL_FOR_VISUAL_QUESTION_ANSWERING_MAPPING_NAMES`). */
export const AutoModelForVisualQuestionAnswering = autoModel('AutoModelForVisualQuestionAnswering');
/** transformers' `AutoModelForImageTextToText` (`MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES`). */
export const AutoModelForImageTextToText = autoModel('AutoModelForImageTextToText');

/** Every Auto class by its transformers name. */
export const AUTO_MODELS: { readonly [T in AutoTask]: AutoModelFactory<T> } = {
  AutoModel,
  AutoModelForPreTraining,
  AutoModelForCausalLM,
  AutoModelForMaskedLM,
  AutoModelForSequenceClassification,
  AutoModelForTokenClassification,
  AutoModelForImageClassification,
  AutoModelForVisualQuestionAnswering,
  AutoModelForImageTextToText,
};
