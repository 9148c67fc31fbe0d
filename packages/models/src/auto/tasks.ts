/**
 * The Auto classes tfjs-peft provides, named as transformers names them. Each is one task mapping
 * of transformers' `modeling_auto.py` (`AutoModel` ↔ `MODEL_MAPPING_NAMES`,
 * `AutoModelForCausalLM` ↔ `MODEL_FOR_CAUSAL_LM_MAPPING_NAMES`, …); only tasks for which some
 * architecture here has a class are listed (`scripts/auto_mapping.py` asks transformers for the same list).
 */
export const AUTO_TASKS = [
  'AutoModel',
  'AutoModelForPreTraining',
  'AutoModelForCausalLM',
  'AutoModelForMaskedLM',
  'AutoModelForSequenceClassification',
  'AutoModelForTokenClassification',
  'AutoModelForImageClassification',
  'AutoModelForVisualQuestionAnswering',
  'AutoModelForImageTextToText',
] as const;

export type AutoTask = (typeof AUTO_TASKS)[number];
