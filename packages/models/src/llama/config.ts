import { ConfigError, ConfigReader, configLabel, type RawConfig } from '../common/config';
import type { ProblemType } from '../common/losses';

/** RoPE frequency scaling (HF `rope_parameters` / `rope_scaling`); other types are a ConfigError. */
export type LlamaRopeScaling =
  | { type: 'default' }
  /** every inverse frequency divided by `factor` (position interpolation) */
  | { type: 'linear'; factor: number }
  /** Llama 3.1: low frequencies divided by `factor`, high ones kept, a smooth ramp between */
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number }
  /**
   * YaRN: interpolated (÷ `factor`) and extrapolated frequencies blended by a linear ramp between the
   * dimensions of `betaFast` and `betaSlow` rotations over the original length; cos and sin are
   * multiplied by `attentionFactor` (HF `attention_factor`, else from `factor`, `mscale`, `mscale_all_dim`)
   */
  | { type: 'yarn'; factor: number; attentionFactor: number; betaFast: number; betaSlow: number; originalMaxPositionEmbeddings: number; truncate: boolean };

/** The fields of a Hugging Face Llama config that this implementation reads (HF names in camelCase). */
export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** key/value heads (grouped-query attention when fewer than `numAttentionHeads`) */
  numKeyValueHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: LlamaRopeScaling;
  maxPositionEmbeddings: number;
  /** bias on `q_proj`, `k_proj`, `v_proj` (Llama: HF `attention_bias`; Qwen2: always) */
  qkvBias: boolean;
  /** bias on `o_proj` (Llama: HF `attention_bias`; Qwen2: never) */
  oProjBias: boolean;
  mlpBias: boolean;
  attentionDropout: number;
  tieWordEmbeddings: boolean;
  /**
   * HF `use_cache` (default true). transformers' forward keeps a cache then, and only without one
   * does it read restarting `position_ids` (no attention mask) as packed sequences; this model has
   * no cache and follows the same rule from this flag.
   */
  useCache: boolean;
  hiddenAct: string;
  /** null when the config has none (many Llama checkpoints); sequence classification then needs batch 1 */
  padTokenId: number | null;
  /** HF `eos_token_id`: one id, several (Llama 3), or none */
  eosTokenId: number | number[] | null;
  numLabels: number;
  problemType: ProblemType | null;
}

const SUPPORTED_ROPE = ['default', 'linear', 'llama3', 'yarn'] as const;

/**
 * RoPE settings as transformers standardises them: transformers 5 writes `rope_parameters`
 * (`rope_type`, `rope_theta`, …); older configs have `rope_scaling` (`type` or `rope_type`) and a
 * top-level `rope_theta`.
 */
function parseRope(c: ConfigReader, raw: RawConfig, label: string, maxPositions: number): { theta: number; scaling: LlamaRopeScaling } {
  const field = raw.rope_parameters != null ? 'rope_parameters' : 'rope_scaling';
  const params = c.object(field);
  const r = new ConfigReader(params, `${label} ${field}`);
  const typeKey = params.rope_type != null ? 'rope_type' : 'type';
  const type = params[typeKey] ?? 'default';
  if (!(SUPPORTED_ROPE as readonly unknown[]).includes(type)) {
    const why =
      type === 'dynamic'
        ? ' ("dynamic" NTK scaling recomputes the frequencies from the longest position seen so far, a state transformers keeps across calls; not implemented)'
        : '';
    throw new ConfigError(
      `${label}: "${field}.${typeKey}" = ${JSON.stringify(type)} is not supported by tfjs-peft${why}; supported: ${SUPPORTED_ROPE.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  const theta = params.rope_theta != null ? r.positive('rope_theta') : c.positive('rope_theta', 10000);
  const partial = params.partial_rotary_factor ?? raw.partial_rotary_factor;
  if (partial != null && partial !== 1) throw new ConfigError(`${label}: "partial_rotary_factor" expected 1 (Llama rotates the whole head), got ${JSON.stringify(partial)}`);
  switch (type as (typeof SUPPORTED_ROPE)[number]) {
    case 'default':
      return { theta, scaling: { type: 'default' } };
    case 'linear':
      return { theta, scaling: { type: 'linear', factor: r.positive('factor') } };
    case 'llama3': {
      const low = r.positive('low_freq_factor');
      const high = r.positive('high_freq_factor');
      if (high <= low) throw new ConfigError(`${label} ${field}: "high_freq_factor" ${high} must be greater than "low_freq_factor" ${low}`);
      return {
        theta,
        scaling: {
          type: 'llama3',
          factor: r.positive('factor'),
          lowFreqFactor: low,
          highFreqFactor: high,
          originalMaxPositionEmbeddings: c.posInt('original_max_position_embeddings', r.posInt('original_max_position_embeddings', maxPositions)),
        },
      };
    }
    case 'yarn': {
      // transformers: a top-level original_max_position_embeddings wins over the rope field's
      const original = c.posInt('original_max_position_embeddings', r.posInt('original_max_position_embeddings', maxPositions));
      const factor = r.positive('factor'); // required, as transformers' validation has it
      const mscale = (scale: number, m = 1) => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
      const ms = params.mscale != null ? r.positive('mscale') : 0;
      const msAll = params.mscale_all_dim != null ? r.positive('mscale_all_dim') : 0;
      const attentionFactor = params.attention_factor != null ? r.positive('attention_factor') : ms && msAll ? mscale(factor, ms) / mscale(factor, msAll) : mscale(factor);
      const truncate = params.truncate ?? true;
      if (typeof truncate !== 'boolean') throw new ConfigError(`${label} ${field}: "truncate" expected true or false, got ${JSON.stringify(truncate)}`);
      return {
        theta,
        scaling: {
          type: 'yarn',
          factor,
          attentionFactor,
          // transformers: `get("beta_fast") or 32`, so 0 means the default too
          betaFast: params.beta_fast ? r.positive('beta_fast') : 32,
          betaSlow: params.beta_slow ? r.positive('beta_slow') : 1,
          originalMaxPositionEmbeddings: original,
          truncate,
        },
      };
    }
  }
}

function eosTokens(c: ConfigReader, raw: RawConfig): number | number[] | null {
  const v = raw.eos_token_id;
  if (v == null) return null;
  if (!Array.isArray(v)) return c.nonNegInt('eos_token_id');
  if (!v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0))
    throw new ConfigError(`${c.label}: "eos_token_id" expected a non-negative integer or a list of them, got ${JSON.stringify(v)}`);
  return v as number[];
}

/**
 * What differs between the architectures that share Llama's decoder (Llama, Qwen2): the
 * `model_type`, transformers' defaults for missing fields, and how the projection biases are set.
 */
export interface LlamaFamily {
  modelType: string;
  defaults: { vocabSize: number; hiddenSize: number; intermediateSize: number; numHiddenLayers: number; numAttentionHeads: number; maxPositionEmbeddings: number };
  biases: (c: ConfigReader) => Pick<LlamaConfig, 'qkvBias' | 'oProjBias' | 'mlpBias'>;
}

/** transformers' `LlamaConfig`: `attention_bias` on all four projections, `mlp_bias` on the MLP. */
export const LLAMA_FAMILY: LlamaFamily = {
  modelType: 'llama',
  defaults: { vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008, numHiddenLayers: 32, numAttentionHeads: 32, maxPositionEmbeddings: 2048 },
  biases: (c) => {
    const attention = c.bool('attention_bias', false);
    return { qkvBias: attention, oProjBias: attention, mlpBias: c.bool('mlp_bias', false) };
  },
};

/** Parses a `config.json` of a Llama-family decoder; errors name the file and the field. */
export function parseLlamaFamilyConfig(raw: RawConfig, label: string, family: LlamaFamily): LlamaConfig {
  const d = family.defaults;
  const c = new ConfigReader(raw, label);
  c.oneOf('model_type', [family.modelType], family.modelType);
  const hiddenSize = c.posInt('hidden_size', d.hiddenSize);
  const heads = c.posInt('num_attention_heads', d.numAttentionHeads);
  const kvHeads = c.posInt('num_key_value_heads', heads);
  c.multipleOf('num_attention_heads', heads, 'num_key_value_heads', kvHeads);
  if (raw.head_dim == null) c.multipleOf('hidden_size', hiddenSize, 'num_attention_heads', heads);
  const headDim = c.posInt('head_dim', hiddenSize / heads);
  if (headDim % 2 !== 0) throw new ConfigError(`${label}: "head_dim" expected an even number (rotary embeddings rotate pairs), got ${headDim}`);
  const vocabSize = c.posInt('vocab_size', d.vocabSize);
  const padTokenId = raw.pad_token_id == null ? null : c.nonNegInt('pad_token_id');
  if (padTokenId != null) c.below('pad_token_id', padTokenId, 'vocab_size', vocabSize);
  const maxPositionEmbeddings = c.posInt('max_position_embeddings', d.maxPositionEmbeddings);
  const rope = parseRope(c, raw, label, maxPositionEmbeddings);
  const problem = c.optionalStr('problem_type');
  return {
    vocabSize,
    hiddenSize,
    intermediateSize: c.posInt('intermediate_size', d.intermediateSize),
    numHiddenLayers: c.posInt('num_hidden_layers', d.numHiddenLayers),
    numAttentionHeads: heads,
    numKeyValueHeads: kvHeads,
    headDim,
    rmsNormEps: c.positive('rms_norm_eps', 1e-6),
    ropeTheta: rope.theta,
    ropeScaling: rope.scaling,
    maxPositionEmbeddings,
    ...family.biases(c),
    attentionDropout: c.prob('attention_dropout', 0),
    tieWordEmbeddings: c.bool('tie_word_embeddings', false),
    useCache: c.bool('use_cache', true),
    hiddenAct: c.activation('hidden_act', 'silu'),
    padTokenId,
    eosTokenId: eosTokens(c, raw),
    numLabels: c.numLabels(),
    problemType: problem == null ? null : c.oneOf('problem_type', ['regression', 'single_label_classification', 'multi_label_classification'] as const, 'regression'),
  };
}

/** Parses a Llama `config.json`; errors name the file and the field. */
export function parseLlamaConfig(raw: RawConfig, label = configLabel(raw)): LlamaConfig {
  return parseLlamaFamilyConfig(raw, label, LLAMA_FAMILY);
}
