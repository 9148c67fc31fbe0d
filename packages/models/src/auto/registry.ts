import type { FileLocation } from '@tfjs-peft/core';
import type { RawConfig } from '../common/config';
import type { FromPretrainedOptions, PreTrainedModel } from '../common/pretrained';
import { BertForMaskedLM, BertForSequenceClassification, BertForTokenClassification, BertModel } from '../bert';
import { RobertaForMaskedLM, RobertaForSequenceClassification, RobertaModel } from '../roberta';
import { DistilBertForMaskedLM, DistilBertForSequenceClassification, DistilBertModel } from '../distilbert';
import { ViTForImageClassification, ViTModel } from '../vit';
import { BlipForConditionalGeneration, BlipForQuestionAnswering } from '../blip';
import { LlamaForCausalLM, LlamaForSequenceClassification, LlamaModel } from '../llama';
import { Qwen2ForCausalLM, Qwen2ForSequenceClassification, Qwen2Model } from '../qwen2';
import { CLIPVisionModel } from '../clip';
import { LlavaForConditionalGeneration, LlavaModel } from '../llava';
import type { AutoTask } from './tasks';

/** What an Auto class needs of a model class: build it from a config, or load it from a folder. */
export interface AutoModelClass {
  readonly name: string;
  new (config: RawConfig): PreTrainedModel;
  fromPretrained(dir: FileLocation, options?: FromPretrainedOptions): Promise<PreTrainedModel>;
}

/**
 * THE mapping of the Auto classes: per task, `model_type` → class, as transformers'
 * `modeling_auto.py` maps them (`MODEL_MAPPING_NAMES`, `MODEL_FOR_*_MAPPING_NAMES`), restricted to
 * the classes tfjs-peft has. `registry.test.ts` checks it against `scripts/auto-mapping.json`
 * (what transformers' Auto classes answer) both ways, and that every architecture folder is here.
 *
 * transformers' pairs tfjs-peft lacks a class for (an Auto class gives `AutoModelError`):
 * `blip` → BlipModel, `clip` → CLIPModel (AutoModel); `bert` → BertForPreTraining; `bert` →
 * BertLMHeadModel, `roberta` → RobertaForCausalLM; RoBERTa, DistilBERT, Llama and Qwen2
 * token classification; `clip` → CLIPForImageClassification. A new architecture adds its
 * classes here (its folder's `index.ts`), under transformers' model_type.
 */
export const AUTO_MODEL_REGISTRY = {
  AutoModel: {
    bert: BertModel,
    roberta: RobertaModel,
    distilbert: DistilBertModel,
    vit: ViTModel,
    llama: LlamaModel,
    qwen2: Qwen2Model,
    clip_vision_model: CLIPVisionModel,
    llava: LlavaModel,
  },
  AutoModelForPreTraining: {
    roberta: RobertaForMaskedLM,
    distilbert: DistilBertForMaskedLM,
    llava: LlavaForConditionalGeneration,
  },
  AutoModelForCausalLM: {
    llama: LlamaForCausalLM,
    qwen2: Qwen2ForCausalLM,
  },
  AutoModelForMaskedLM: {
    bert: BertForMaskedLM,
    roberta: RobertaForMaskedLM,
    distilbert: DistilBertForMaskedLM,
  },
  AutoModelForSequenceClassification: {
    bert: BertForSequenceClassification,
    roberta: RobertaForSequenceClassification,
    distilbert: DistilBertForSequenceClassification,
    llama: LlamaForSequenceClassification,
    qwen2: Qwen2ForSequenceClassification,
  },
  AutoModelForTokenClassification: {
    bert: BertForTokenClassification,
  },
  AutoModelForImageClassification: {
    vit: ViTForImageClassification,
  },
  AutoModelForVisualQuestionAnswering: {
    blip: BlipForQuestionAnswering,
  },
  AutoModelForImageTextToText: {
    blip: BlipForConditionalGeneration,
    llava: LlavaForConditionalGeneration,
  },
} as const satisfies Record<AutoTask, Record<string, AutoModelClass>>;

export type AutoModelRegistry = typeof AUTO_MODEL_REGISTRY;

/** The model_types a task maps, in registry order. */
export function autoModelTypes(task: AutoTask): string[] {
  return Object.keys(AUTO_MODEL_REGISTRY[task]);
}

/** The class a task maps `modelType` to, or undefined. */
export function autoModelClassOf(task: AutoTask, modelType: string): AutoModelClass | undefined {
  const byType: Readonly<Record<string, AutoModelClass>> = AUTO_MODEL_REGISTRY[task];
  return Object.hasOwn(byType, modelType) ? byType[modelType] : undefined;
}
