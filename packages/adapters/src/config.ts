/**
 * PEFT configurations: a discriminated union on `method`, one member per method folder (each
 * `<method>/config.ts`). Field names are camelCase versions of Hugging Face PEFT's (`r`,
 * `loraAlpha`, `targetModules`, …); each method's `definition.ts` maps them to and from
 * `adapter_config.json`.
 */
import type { ConfigOf } from './method';
import type { METHOD_DEFINITIONS } from './registry';

/** A list matches exact names or dot-bounded suffixes; a string is a regex that must match the whole name. */
export type TargetSpec = string | string[];

export interface Common {
  /** modules trained in full and saved with the adapter (e.g. the classifier) */
  modulesToSave?: string[];
  /** PEFT `task_type`; `SEQ_CLS`/`TOKEN_CLS` add `classifier` to modulesToSave, as PEFT does */
  taskType?: 'SEQ_CLS' | 'TOKEN_CLS' | 'CAUSAL_LM' | 'SEQ_2_SEQ_LM' | 'FEATURE_EXTRACTION' | 'QUESTION_ANS' | null;
}

export type { LoraConfig } from './lora/config';
export type { DoraConfig } from './dora/config';
export type { IA3Config } from './ia3/config';
export type { LnTuningConfig } from './ln-tuning/config';
export type { PrefixTuningConfig } from './prefix-tuning/config';
export type { PromptTuningConfig } from './prompt-tuning/config';
export type { SelectiveConfig } from './selective/config';

/** The config of any registered method (`registry.ts`): a discriminated union on `method`. */
export type MethodConfig = ConfigOf<(typeof METHOD_DEFINITIONS)[number]>;

/** One policy entry: 'frozen', 'full', or a method config (MILE's F / T / PEFT cells). */
export type SubmodulePolicy = 'frozen' | 'full' | MethodConfig;

/** Per-sub-module policy: `{ vision_model: 'frozen', text_encoder: 'full', text_decoder: { method: 'lora', r: 8 } }`. */
export interface PolicyConfig {
  method: 'policy';
  modules: Record<string, SubmodulePolicy>;
  /** what happens to parameters outside every listed sub-module (default 'frozen') */
  rest?: 'frozen' | 'full';
}

export type PeftConfig = MethodConfig | PolicyConfig;

export type MethodName = MethodConfig['method'];
