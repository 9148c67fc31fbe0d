/**
 * PEFT configurations: a discriminated union on `method`. Field names are camelCase versions of
 * Hugging Face PEFT's (`r`, `loraAlpha`, `targetModules`, …); `io/peft-config.ts` maps them to
 * and from `adapter_config.json`.
 */

/** A list matches exact names or dot-bounded suffixes; a string is a regex that must match the whole name. */
export type TargetSpec = string | string[];

interface Common {
  /** modules trained in full and saved with the adapter (e.g. the classifier) */
  modulesToSave?: string[];
  /** PEFT `task_type`; `SEQ_CLS`/`TOKEN_CLS` add `classifier` to modulesToSave, as PEFT does */
  taskType?: 'SEQ_CLS' | 'TOKEN_CLS' | 'CAUSAL_LM' | 'SEQ_2_SEQ_LM' | 'FEATURE_EXTRACTION' | 'QUESTION_ANS' | null;
}

export interface LoraConfig extends Common {
  method: 'lora';
  r?: number;
  loraAlpha?: number;
  loraDropout?: number;
  /** default: PEFT's for the architecture (BERT/BLIP text: query, value) */
  targetModules?: TargetSpec;
  excludeModules?: TargetSpec;
  /** rsLoRA: scaling α/√r instead of α/r */
  useRslora?: boolean;
  /** `true`: A kaiming-uniform, B zeros (a no-op at start); `'gaussian'`: A ~ N(0, 1/r) */
  initLoraWeights?: boolean | 'gaussian';
  /**
   * PEFT `rank_pattern` / `alpha_pattern`: per-module r / alpha. Keys are regexes; a module takes the
   * first key (in insertion order) with `^(.*\.)?(key)$` matching its name (PEFT's `get_pattern_key`).
   */
  rankPattern?: Record<string, number>;
  alphaPattern?: Record<string, number>;
  /**
   * PEFT `layers_to_transform` / `layers_pattern`: with a list `targetModules`, only modules in these
   * layer indexes (the number after a `layersPattern` segment such as `layer`, or after the first
   * `<segment>.` when no pattern is given). An exact-name target is not filtered (as PEFT).
   */
  layersToTransform?: number | number[];
  layersPattern?: string | string[];
}

export interface IA3Config extends Common {
  method: 'ia3';
  targetModules?: TargetSpec;
  /** must be a subset of the targets; their vector scales the input (plain `endsWith` match, as PEFT) */
  feedforwardModules?: TargetSpec;
  excludeModules?: TargetSpec;
}

export interface PrefixTuningConfig extends Common {
  /** 'prefix-tuning' = MILE's "Prefix" (MLP projection); 'p-tuning-v2' = the same without projection */
  method: 'prefix-tuning' | 'p-tuning-v2';
  numVirtualTokens?: number;
  /** projection hidden size (PEFT `encoder_hidden_size`, default token_dim) */
  encoderHiddenSize?: number;
}

export interface PromptTuningConfig extends Common {
  method: 'prompt-tuning';
  numVirtualTokens?: number;
  /** 'RANDOM' or initialise from the word embeddings of these token ids (PEFT 'TEXT' after tokenising) */
  initTokenIds?: number[];
}

export interface LnTuningConfig extends Common {
  method: 'ln-tuning';
  /** default: every LayerNorm (modules named like `LayerNorm`, `layernorm`, `layer_norm*`, `norm*`) */
  targetModules?: TargetSpec;
  excludeModules?: TargetSpec;
  /**
   * Train only some elements: per LayerNorm module path, 0/1 masks for `weight` and `bias`
   * (what `@tfjs-peft/fisher` selects). Modules without a mask are trained in full.
   */
  masks?: Record<string, { weight?: ArrayLike<number>; bias?: ArrayLike<number> }>;
}

/** Selective fine-tuning: no new parameters, a subset of the model's own is trained. */
export interface SelectiveConfig extends Common {
  /** bitfit: biases; ffn-only: feed-forward linears; attention-only: attention projections; full: everything */
  method: 'bitfit' | 'ffn-only' | 'attention-only' | 'full';
  /** also train LayerNorms (the Med-VLM study trains them with FFN/attention in some rows) */
  includeLayerNorm?: boolean;
}

export type MethodConfig = LoraConfig | IA3Config | PrefixTuningConfig | PromptTuningConfig | LnTuningConfig | SelectiveConfig;

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
export const METHODS: readonly MethodName[] = ['lora', 'ia3', 'prefix-tuning', 'p-tuning-v2', 'prompt-tuning', 'ln-tuning', 'bitfit', 'ffn-only', 'attention-only', 'full'];
