import { TfjsPeftError } from '../errors';
import type { Module } from '../module/module';

/**
 * A list matches exact module names or dot-bounded suffixes (`query` matches `…self.query`); a
 * string is a regex that must match the whole name (PEFT's `target_modules` rules).
 */
export type TargetSpec = string | string[];

/**
 * The components the LayerNorm paper compares, named after BERT's modules. Every architecture maps
 * its own parameters onto these (DistilBERT's `q_lin` is `attention.query`, ViT's `layernorm_before`
 * is `attention.output.LayerNorm`), so one analysis reads across models. `attention.qkv` is a fused
 * query/key/value projection (BLIP's vision tower).
 */
export type Component =
  | 'embeddings'
  | 'embeddings.LayerNorm'
  | 'attention.query'
  | 'attention.key'
  | 'attention.value'
  | 'attention.qkv'
  | 'attention.output.dense'
  | 'attention.output.LayerNorm'
  | 'intermediate.dense'
  | 'output.dense'
  | 'output.LayerNorm'
  | 'final.LayerNorm'
  | 'pooler'
  | 'classifier'
  | 'other';

/** Every component, in the order tables and plots list them. */
export const COMPONENTS: readonly Component[] = [
  'embeddings',
  'embeddings.LayerNorm',
  'attention.query',
  'attention.key',
  'attention.value',
  'attention.qkv',
  'attention.output.dense',
  'attention.output.LayerNorm',
  'intermediate.dense',
  'output.dense',
  'output.LayerNorm',
  'final.LayerNorm',
  'pooler',
  'classifier',
  'other',
];

/** Sizes of a model's attention stack, for the methods that add per-layer keys and values (prefix, prompt). */
export interface AttentionShape {
  numLayers: number;
  numHeads: number;
  /** key/value heads (fewer than `numHeads` under grouped-query attention) */
  numKeyValueHeads: number;
  headDim: number;
  /** the hidden size (PEFT's `token_dim`) */
  hidden: number;
}

/**
 * What a model tells the rest of tfjs-peft about itself: the facts PEFT keeps in per-architecture
 * tables (default target modules), and the roles of its modules that selective tuning, Fisher
 * analysis and policies need. Every name is relative to the module that returns the description.
 * Each architecture exports its description from its own folder (`models/src/<arch>/`); nothing
 * outside `models` knows an architecture's module names.
 */
export interface ModelDescription {
  /** HF `model_type` (`bert`, `vit`, `distilbert`, …) or a sub-module's role (`blip_vision_model`) */
  modelType: string;
  /** default `target_modules` per method, as PEFT's `TRANSFORMERS_MODELS_TO_*_TARGET_MODULES_MAPPING` */
  targets: {
    lora: TargetSpec;
    ia3: TargetSpec;
    /** the subset of the IA3 targets whose vector scales the input (PEFT `feedforward_modules`) */
    ia3FeedForward: TargetSpec;
    lnTuning: TargetSpec;
  };
  /** parameter-name tests (names relative to this module) for what each selective method trains */
  parameters: {
    /** attention projections (query/key/value/output of self- and cross-attention), weights and biases */
    attention(name: string): boolean;
    /** feed-forward linears, weights and biases */
    feedForward(name: string): boolean;
    /** normalisation layers (LayerNorm, RMSNorm), weights and biases */
    norms(name: string): boolean;
  };
  /** the word-embedding module (prompt tuning prepends to its output), when the model reads token ids */
  wordEmbeddings?: string;
  /** the attention stack prefix methods attach to, when the model has one (a classifier wrapper reports its encoder's) */
  attention?: AttentionShape;
  /** the model's parts a per-sub-module policy can name (MILE: `vision_model`, `text_encoder`, `text_decoder`) */
  submodules?: readonly string[];
  /** the component a parameter belongs to (`other` for none) */
  componentOf(name: string): Component;
  /** the index of the transformer layer a parameter belongs to, or null outside the layer stack */
  layerOf(name: string): number | null;
}

/** A module with no description was asked for one (a plain `Module`, or a sub-module that has none). */
export class ModelDescriptionError extends TfjsPeftError {
  constructor(where: string, needed: string) {
    super('MODEL_NOT_DESCRIBED', `${where}: ${needed}`);
  }
}

/** The description of `m`; a ModelDescriptionError naming `where` and `needed` when it has none. */
export function requireDescription(m: Module, where: string, needed = 'this needs a model that describes itself (a tfjs-peft model class)'): ModelDescription {
  const d = m.describe();
  if (!d) throw new ModelDescriptionError(where, `${m.constructor.name} has no model description; ${needed}`);
  return d;
}

/** A `componentOf` from rules tried in order: the first regex that matches names the component. */
export function componentRules(rules: readonly (readonly [RegExp, Component])[]): (name: string) => Component {
  return (name) => {
    for (const [re, c] of rules) if (re.test(name)) return c;
    return 'other';
  };
}

/** `layerOf` for the usual `….layer.N.…` / `….layers.N.…` stacks. */
export function layerIndexOf(name: string): number | null {
  const m = /(?:^|\.)layers?\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

/** Whether a component is a normalisation layer. */
export const isLayerNormComponent = (c: Component): boolean => c.endsWith('LayerNorm');
