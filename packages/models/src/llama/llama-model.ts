import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, Embedding, RMSNorm, ShapeError, attention, nextSeed, addResidual, reshapeView, activation, type ModelDescription } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { textInputs, toInt32 } from '../common/text-inputs';
import type { KeyValuePrefix } from '../bert/attention';
import { parseLlamaConfig, type LlamaConfig, type LlamaRopeScaling } from './config';
import { describeLlama } from './describe';
import type { LlamaKvCache } from './kv-cache';

/** Inputs of every Llama model (HF names in camelCase). */
export interface LlamaInputs {
  inputIds?: tf.Tensor | null;
  /** `[B, T]`, 1 attend, 0 padding (left or right) */
  attentionMask?: tf.Tensor | null;
  /**
   * `[B, T]` or `[1, T]` rotary positions. Default `arange(T)` (plus the prefix length with
   * `prefixes`), as transformers: left padding does not shift them unless you pass them. Given
   * without an `attentionMask` under `use_cache: false`, restarts (`0 1 2 0 1`) mark packed
   * sequences that do not attend to each other, as transformers does.
   */
  positionIds?: tf.Tensor | null;
  /** replaces the token-embedding lookup (HF `inputs_embeds`; prompt tuning): `[B, T, hidden]` */
  inputsEmbeds?: tf.Tensor | null;
  /**
   * per-layer key/value prefixes `[B|1, kvHeads, P, headDim]` (or `numAttentionHeads` heads), as
   * transformers treats a `past_key_values` cache: already rotated, always visible, and the
   * default positions start at P
   */
  prefixes?: (KeyValuePrefix | null)[] | null;
  /**
   * HF `past_key_values`: a `LlamaKvCache` this forward reads and appends its keys/values to. The
   * default positions continue from its length (after any prefixes), and `attentionMask`, when
   * given, covers the cached positions too: `[B, cache.length + T]`, as transformers.
   */
  pastKeyValues?: LlamaKvCache | null;
}

export interface LlamaOutput {
  lastHiddenState: tf.Tensor;
}

/** HF `LlamaRMSNorm`: core's `RMSNorm` (`weight · x / √(mean(x²) + ε)`, weight only, starts at 1) under Llama's name. */
export class LlamaRMSNorm extends RMSNorm {
  constructor(hiddenSize: number, eps = 1e-6) {
    super(hiddenSize, eps);
  }
}

/** YaRN's inverse frequencies, as transformers' `_compute_yarn_parameters` (float32 steps as there). */
function yarnInverseFrequencies(dim: number, theta: number, s: Extract<LlamaRopeScaling, { type: 'yarn' }>): Float32Array {
  const f = Math.fround;
  const correctionDim = (rotations: number) => (dim * Math.log(s.originalMaxPositionEmbeddings / (rotations * 2 * Math.PI))) / (2 * Math.log(theta));
  let low = correctionDim(s.betaFast);
  let high = correctionDim(s.betaSlow);
  if (s.truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, dim - 1);
  if (low === high) high += 0.001; // transformers' guard against a zero-width ramp
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < out.length; i++) {
    const posFreq = f(Math.pow(theta, f((2 * i) / dim)));
    const extrapolation = f(1 / posFreq);
    const interpolation = f(1 / f(s.factor * posFreq));
    const ramp = f(Math.min(1, Math.max(0, f(f(i - low) / f(high - low)))));
    const extraFactor = f(1 - ramp);
    out[i] = f(f(interpolation * f(1 - extraFactor)) + f(extrapolation * extraFactor));
  }
  return out;
}

/** Inverse frequencies `1/θ^(2i/d)` with transformers' `linear` / `llama3` / `yarn` scaling (float32, as transformers). */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: LlamaRopeScaling): Float32Array {
  if (scaling.type === 'yarn') return yarnInverseFrequencies(headDim, theta, scaling);
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const base = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / headDim))));
    if (scaling.type === 'default') out[i] = base;
    else if (scaling.type === 'linear') out[i] = base / scaling.factor;
    else if (scaling.type === 'llama3') {
      const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: old } = scaling;
      const wavelen = (2 * Math.PI) / base;
      const lowWavelen = old / lowFreqFactor;
      const highWavelen = old / highFreqFactor;
      if (wavelen < highWavelen) out[i] = base;
      else if (wavelen > lowWavelen) out[i] = base / factor;
      else {
        const smooth = (old / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        out[i] = ((1 - smooth) * base) / factor + smooth * base;
      }
    }
  }
  return out;
}

/** HF `LlamaRotaryEmbedding`: `cos`/`sin` `[B|1, T, headDim]` of the positions (no parameters). */
export class LlamaRotaryEmbedding extends Module {
  private readonly _invFreq: Float32Array;
  /** HF `attention_scaling`: cos and sin are multiplied by it (YaRN's attention factor; 1 otherwise) */
  readonly attentionScaling: number;
  constructor(readonly c: LlamaConfig) {
    super();
    this._invFreq = ropeInverseFrequencies(c.headDim, c.ropeTheta, c.ropeScaling);
    this.attentionScaling = c.ropeScaling.type === 'yarn' ? c.ropeScaling.attentionFactor : 1;
  }
  get invFreq(): Float32Array {
    return this._invFreq;
  }
  forward(positionIds: tf.Tensor): { cos: tf.Tensor; sin: tf.Tensor } {
    return tf.tidy(() => {
      const pos = tf.expandDims(tf.cast(positionIds, 'float32'), -1); // [B, T, 1]
      const freqs = tf.mul(pos, tf.tensor1d(this._invFreq)); // [B, T, D/2]
      const emb = tf.concat([freqs, freqs], -1);
      if (this.attentionScaling === 1) return { cos: tf.cos(emb), sin: tf.sin(emb) };
      return { cos: tf.mul(tf.cos(emb), this.attentionScaling), sin: tf.mul(tf.sin(emb), this.attentionScaling) };
    });
  }
}

/** HF `rotate_half`: `[x1, x2] → [−x2, x1]` over the last axis. */
export function rotateHalf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const d = x.shape[x.rank - 1]!;
    const [x1, x2] = tf.split(x, [d / 2, d / 2], -1);
    return tf.concat([tf.neg(x2!), x1!], -1);
  });
}

/** HF `apply_rotary_pos_emb` for one `[B, H, T, D]` tensor; `cos`/`sin` are `[B|1, T, D]`. */
export function applyRotary(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(x, tf.expandDims(cos, 1)), tf.mul(rotateHalf(x), tf.expandDims(sin, 1))));
}

/** HF `repeat_kv`: `[B, KV, T, D] → [B, KV·n, T, D]`, each key/value head serving `n` query heads in turn. */
export function repeatKv(x: tf.Tensor, n: number): tf.Tensor {
  if (n === 1) return x;
  return tf.tidy(() => {
    const [b, kv, t, d] = x.shape as [number, number, number, number];
    // rank 3: tfjs has no rank-5 tile gradient
    return tf.reshape(tf.tile(tf.reshape(x, [b * kv, 1, t * d]), [1, n, 1]), [b, kv * n, t, d]);
  });
}

/** HF `LlamaAttention` (and `Qwen2Attention`): q/k/v/o projections, rotary q and k, grouped-query attention. */
export class LlamaAttention extends Module {
  q_proj: Linear;
  k_proj: Linear;
  v_proj: Linear;
  o_proj: Linear;
  readonly groups: number;
  constructor(readonly c: LlamaConfig) {
    super();
    const bias = c.qkvBias;
    this.groups = c.numAttentionHeads / c.numKeyValueHeads;
    this.q_proj = new Linear(c.hiddenSize, c.numAttentionHeads * c.headDim, { bias, initStd: 0.02 });
    this.k_proj = new Linear(c.hiddenSize, c.numKeyValueHeads * c.headDim, { bias, initStd: 0.02 });
    this.v_proj = new Linear(c.hiddenSize, c.numKeyValueHeads * c.headDim, { bias, initStd: 0.02 });
    this.o_proj = new Linear(c.numAttentionHeads * c.headDim, c.hiddenSize, { bias: c.oProjBias, initStd: 0.02 });
  }
  private split(x: tf.Tensor, heads: number): tf.Tensor {
    const [b, t] = x.shape as [number, number, number];
    return tf.transpose(reshapeView(x, [b, t, heads, this.c.headDim]), [0, 2, 1, 3]);
  }
  private prefixHeads(t: tf.Tensor | undefined): tf.Tensor | null {
    if (!t) return null;
    return t.rank === 4 && t.shape[1] === this.c.numKeyValueHeads ? repeatKv(t, this.groups) : t;
  }
  /**
   * `mask`: `[B|1, 1, T, past + T]` keep-mask (1 attend) with the causal and padding rules already
   * combined; `cache`: the layer's slot of a key/value cache (its keys and values come first).
   */
  forward(hidden: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor, mask: tf.Tensor, prefix: KeyValuePrefix | null, cache: LlamaLayerCache | null = null): tf.Tensor {
    return tf.tidy(() => {
      const { numAttentionHeads: h, numKeyValueHeads: kv, headDim } = this.c;
      const [b, t] = hidden.shape as [number, number, number];
      const q = applyRotary(this.split(this.q_proj.forward(hidden), h), cos, sin);
      let k = applyRotary(this.split(this.k_proj.forward(hidden), kv), cos, sin);
      let v = this.split(this.v_proj.forward(hidden), kv);
      if (cache) ({ key: k, value: v } = cache.cache.update(cache.layer, k, v));
      const ctx = attention(q, repeatKv(k, this.groups), repeatKv(v, this.groups), {
        mask,
        causal: false,
        scale: 1 / Math.sqrt(headDim),
        prefixKey: this.prefixHeads(prefix?.key),
        prefixValue: this.prefixHeads(prefix?.value),
        dropoutRate: this.c.attentionDropout,
        seed: this.training ? nextSeed() : 0,
        training: this.training,
      });
      return this.o_proj.forward(reshapeView(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, h * headDim]));
    });
  }
}

/** One layer's slot in a key/value cache. */
export interface LlamaLayerCache {
  cache: LlamaKvCache;
  layer: number;
}

/** HF `LlamaMLP`: `down_proj(act(gate_proj(x)) · up_proj(x))`. */
export class LlamaMLP extends Module {
  gate_proj: Linear;
  up_proj: Linear;
  down_proj: Linear;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: LlamaConfig) {
    super();
    const bias = c.mlpBias;
    this.gate_proj = new Linear(c.hiddenSize, c.intermediateSize, { bias, initStd: 0.02 });
    this.up_proj = new Linear(c.hiddenSize, c.intermediateSize, { bias, initStd: 0.02 });
    this.down_proj = new Linear(c.intermediateSize, c.hiddenSize, { bias, initStd: 0.02 });
    this._act = activation(c.hiddenAct);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.down_proj.forward(tf.mul(this._act(this.gate_proj.forward(x)), this.up_proj.forward(x))));
  }
}

/** HF `LlamaDecoderLayer` (pre-norm): `x + attn(norm(x))`, then `h + mlp(norm(h))`. */
export class LlamaDecoderLayer extends Module {
  self_attn: LlamaAttention;
  mlp: LlamaMLP;
  input_layernorm: LlamaRMSNorm;
  post_attention_layernorm: LlamaRMSNorm;
  constructor(c: LlamaConfig) {
    super();
    this.self_attn = new LlamaAttention(c);
    this.mlp = new LlamaMLP(c);
    this.input_layernorm = new LlamaRMSNorm(c.hiddenSize, c.rmsNormEps);
    this.post_attention_layernorm = new LlamaRMSNorm(c.hiddenSize, c.rmsNormEps);
  }
  forward(hidden: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor, mask: tf.Tensor, prefix: KeyValuePrefix | null, cache: LlamaLayerCache | null = null): tf.Tensor {
    return tf.tidy(() => {
      const a = addResidual(hidden, this.self_attn.forward(this.input_layernorm.forward(hidden), cos, sin, mask, prefix, cache));
      return addResidual(a, this.mlp.forward(this.post_attention_layernorm.forward(a)));
    });
  }
}

/**
 * The keep-mask `[B|1, 1, T, past + T]` transformers builds (`create_causal_mask`): query i (at
 * `past + i`, after `past` cached positions) sees key j ≤ past + i, and only keys the attention
 * mask (`[B, past + T]`) keeps; without an attention mask or a cache, keys of the same packed
 * sequence (positions restart at a drop). A row that sees nothing (a left-padding query) attends
 * uniformly, as transformers' eager attention.
 */
export function llamaCausalMask(length: number, attentionMask: tf.Tensor | null, positionIds: tf.Tensor | null, past = 0): tf.Tensor {
  return tf.tidy(() => {
    const total = past + length;
    const i = tf.reshape(tf.range(past, total, 1, 'int32'), [length, 1]);
    const j = tf.reshape(tf.range(0, total, 1, 'int32'), [1, total]);
    let keep = tf.reshape(tf.lessEqual(j, i), [1, 1, length, total]);
    if (attentionMask) {
      const b = attentionMask.shape[0]!;
      keep = tf.logicalAnd(keep, tf.reshape(tf.cast(attentionMask, 'bool'), [b, 1, 1, total]));
    } else if (positionIds && past === 0) {
      const pos = tf.cast(positionIds, 'int32');
      const b = pos.shape[0]!;
      const prev = tf.concat([tf.sub(tf.slice(pos, [0, 0], [b, 1]), 1), tf.slice(pos, [0, 0], [b, length - 1])], 1);
      const seq = tf.cumsum(tf.cast(tf.notEqual(tf.sub(pos, prev), 1), 'int32'), 1);
      const same = tf.equal(tf.reshape(seq, [b, 1, length, 1]), tf.reshape(seq, [b, 1, 1, length]));
      keep = tf.logicalAnd(keep, same);
    }
    return tf.cast(keep, 'float32');
  });
}

export interface LlamaModelOptions {
  /** the config already parsed, when a head passes its own */
  parsed?: LlamaConfig;
}

/** HF `LlamaModel`: token embeddings, decoder layers, final RMSNorm; the heads hold one as `model`. */
export class LlamaModel extends PreTrainedModel {
  static override baseModelPrefix = 'model';
  embed_tokens: Embedding;
  layers: LlamaDecoderLayer[];
  norm: LlamaRMSNorm;
  rotary_emb: LlamaRotaryEmbedding;
  readonly c: LlamaConfig;
  constructor(config: RawConfig, options: LlamaModelOptions = {}) {
    super(config);
    this.c = options.parsed ?? parseLlamaConfig(config);
    this.embed_tokens = new Embedding(this.c.vocabSize, this.c.hiddenSize, { paddingIdx: this.c.padTokenId, initStd: 0.02 });
    this.layers = Array.from({ length: this.c.numHiddenLayers }, () => new LlamaDecoderLayer(this.c));
    this.norm = new LlamaRMSNorm(this.c.hiddenSize, this.c.rmsNormEps);
    this.rotary_emb = new LlamaRotaryEmbedding(this.c);
  }

  override describe(): ModelDescription {
    return describeLlama(this.c, '');
  }

  forward(inputs: LlamaInputs): LlamaOutput {
    const { inputsEmbeds } = inputs;
    if (inputsEmbeds && (inputsEmbeds.rank !== 3 || inputsEmbeds.shape[2] !== this.c.hiddenSize))
      throw new ShapeError('inputs_embeds', `[batch, seq, ${this.c.hiddenSize}]`, inputsEmbeds.shape);
    const prefixes = inputs.prefixes ?? null;
    if (prefixes && prefixes.length !== this.layers.length) throw new ShapeError('prefixes', `one per layer (${this.layers.length})`, [prefixes.length]);
    const cache = inputs.pastKeyValues ?? null;
    const cached = cache?.length ?? 0;
    if (cache && cache.numLayers !== this.layers.length) throw new ShapeError('past_key_values', `one slot per layer (${this.layers.length})`, [cache.numLayers]);
    // with cached positions the attention mask also covers them: checked here, not by textInputs
    const { ids, mask: newMask, batch, length, release } = textInputs(cached ? { ...inputs, attentionMask: null } : inputs);
    const mask = cached ? toInt32(inputs.attentionMask, 'attention_mask') : newMask;
    const releaseAll = () => {
      release();
      if (cached && mask && mask !== inputs.attentionMask) mask.dispose();
    };
    if (cache && cache.batch != null && cache.batch !== batch) {
      releaseAll();
      throw new ShapeError('past_key_values', `${batch} cached rows (the batch)`, [cache.batch]);
    }
    if (cached && mask && mask.shape.join(',') !== `${batch},${cached + length}`) {
      releaseAll();
      throw new ShapeError('attention_mask', [batch, cached + length], mask.shape);
    }
    const given = toInt32(inputs.positionIds, 'position_ids');
    if (given && (given.rank !== 2 || (given.shape[0] !== batch && given.shape[0] !== 1) || given.shape[1] !== length)) {
      releaseAll();
      if (given !== inputs.positionIds) given.dispose();
      throw new ShapeError('position_ids', `[${batch}|1, ${length}]`, given.shape);
    }
    const past = (prefixes?.find((p) => p != null)?.key.shape[2] ?? 0) + cached;
    const positions = given ?? tf.tidy(() => tf.expandDims(tf.range(past, past + length, 1, 'int32'), 0));
    const causal = llamaCausalMask(length, mask, this.c.useCache || cache ? null : given, cached);
    const { cos, sin } = this.rotary_emb.forward(positions);
    const embedded = inputsEmbeds ?? this.embed_tokens.forward(ids!);
    let h = embedded;
    this.layers.forEach((layer, i) => {
      const next = layer.forward(h, cos, sin, causal, prefixes?.[i] ?? null, cache ? { cache, layer: i } : null);
      if (h !== inputsEmbeds) h.dispose();
      h = next;
    });
    const lastHiddenState = this.norm.forward(h);
    if (h !== inputsEmbeds) h.dispose();
    tf.dispose([causal, cos, sin]);
    if (positions !== inputs.positionIds) positions.dispose();
    releaseAll();
    return { lastHiddenState };
  }
}
