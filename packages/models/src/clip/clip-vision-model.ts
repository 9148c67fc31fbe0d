import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Embedding, Parameter, ShapeError, attention, nextSeed, addResidual, reshapeView, type RawTensor } from '@tfjs-peft/core';
import type { ModelDescription } from '@tfjs-peft/core';
import { PreTrainedModel, type FromPretrainedOptions } from '../common/pretrained';
import { PatchEmbedding } from '../common/patch-embedding';
import { firstToken } from '../common/first-token';
import type { RawConfig } from '../common/config';
import type { KeyValuePrefix } from '../bert/attention';
import { clipVisionRawConfig, parseClipVisionConfig, type ClipVisionConfig } from './config';
import { clipActivation } from './quick-gelu';
import { describeClipVision } from './describe';
import { checkInputKeys } from '../common/input-keys';

/**
 * HF's `nn.Conv2d(C, hidden, P, stride=P, bias=False)` patch embedding: `weight` `[hidden, C, P, P]`
 * only. Computed by the shared `PatchEmbedding` (a matmul over patches) with a constant zero bias
 * kept in a private field, so it is neither a parameter nor in the state dict.
 */
export class CLIPPatchEmbedding extends Module {
  weight: Parameter;
  private readonly _conv: PatchEmbedding;
  constructor(c: ClipVisionConfig) {
    super();
    this._conv = new PatchEmbedding(c.numChannels, c.hiddenSize, c.patchSize);
    this._conv.bias.dispose();
    this._conv.bias = new Parameter(tf.zeros([c.hiddenSize]), { requiresGrad: false, name: 'zero_bias' });
    this.weight = this._conv.weight;
  }
  forward(pixelValues: tf.Tensor): tf.Tensor {
    return this._conv.forward(pixelValues);
  }
  protected override disposeBuffers(): void {
    this._conv.bias.dispose();
  }
}

/** HF `CLIPVisionEmbeddings`: `class_embedding` `[hidden]`, the bias-free patch conv, learned positions (no interpolation). */
export class CLIPVisionEmbeddings extends Module {
  class_embedding: Parameter;
  patch_embedding: CLIPPatchEmbedding;
  position_embedding: Embedding;
  constructor(readonly c: ClipVisionConfig) {
    super();
    const positions = (c.imageSize / c.patchSize) ** 2 + 1;
    this.class_embedding = new Parameter(tf.randomNormal([c.hiddenSize], 0, c.hiddenSize ** -0.5, 'float32', nextSeed()), { name: 'class_embedding' });
    this.patch_embedding = new CLIPPatchEmbedding(c);
    this.position_embedding = new Embedding(positions, c.hiddenSize, { initStd: 0.02 });
  }
  forward(pixelValues: tf.Tensor): tf.Tensor {
    const s = pixelValues.shape;
    const { numChannels: ch, imageSize: size } = this.c;
    if (pixelValues.rank !== 4 || s[1] !== ch || s[2] !== size || s[3] !== size) {
      throw new ShapeError('pixel_values', `[B,${ch},${size},${size}] (the config's image_size; interpolate_pos_encoding is not implemented)`, s);
    }
    return tf.tidy(() => {
      const patches = this.patch_embedding.forward(pixelValues);
      const cls = tf.tile(tf.reshape(this.class_embedding.value, [1, 1, this.c.hiddenSize]), [s[0]!, 1, 1]);
      return tf.add(tf.concat([cls, patches], 1), this.position_embedding.weight.value);
    });
  }
}

/** HF `CLIPAttention`: `q_proj`, `k_proj`, `v_proj`, `out_proj` (all with bias), scale `1/√headDim`, no mask. */
export class CLIPAttention extends Module {
  k_proj: Linear;
  v_proj: Linear;
  q_proj: Linear;
  out_proj: Linear;
  constructor(readonly c: ClipVisionConfig) {
    super();
    const h = c.hiddenSize;
    this.k_proj = new Linear(h, h, { initStd: 0.02 });
    this.v_proj = new Linear(h, h, { initStd: 0.02 });
    this.q_proj = new Linear(h, h, { initStd: 0.02 });
    this.out_proj = new Linear(h, h, { initStd: 0.02 });
  }
  forward(x: tf.Tensor, prefix: KeyValuePrefix | null = null): tf.Tensor {
    return tf.tidy(() => {
      const [b, t, h] = x.shape as [number, number, number];
      const heads = this.c.numAttentionHeads;
      const split = (y: tf.Tensor) => tf.transpose(reshapeView(y, [b, t, heads, h / heads]), [0, 2, 1, 3]);
      const ctx = attention(split(this.q_proj.forward(x)), split(this.k_proj.forward(x)), split(this.v_proj.forward(x)), {
        prefixKey: prefix?.key ?? null,
        prefixValue: prefix?.value ?? null,
        dropoutRate: this.c.attentionDropout,
        seed: this.training ? nextSeed() : 0,
        training: this.training,
      });
      return this.out_proj.forward(reshapeView(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, h]));
    });
  }
}

/** HF `CLIPMLP`: `fc1` → `hidden_act` (`quick_gelu`, `gelu`, …) → `fc2`. */
export class CLIPMLP extends Module {
  fc1: Linear;
  fc2: Linear;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: ClipVisionConfig) {
    super();
    this.fc1 = new Linear(c.hiddenSize, c.intermediateSize, { initStd: 0.02 });
    this.fc2 = new Linear(c.intermediateSize, c.hiddenSize, { initStd: 0.02 });
    this._act = clipActivation(c.hiddenAct);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(this._act(this.fc1.forward(x))));
  }
}

/** HF `CLIPEncoderLayer` (pre-LN): `x + self_attn(layer_norm1(x))`, then `x + mlp(layer_norm2(x))`. */
export class CLIPEncoderLayer extends Module {
  self_attn: CLIPAttention;
  layer_norm1: LayerNorm;
  mlp: CLIPMLP;
  layer_norm2: LayerNorm;
  constructor(c: ClipVisionConfig) {
    super();
    this.self_attn = new CLIPAttention(c);
    this.layer_norm1 = new LayerNorm(c.hiddenSize, c.layerNormEps);
    this.mlp = new CLIPMLP(c);
    this.layer_norm2 = new LayerNorm(c.hiddenSize, c.layerNormEps);
  }
  forward(x: tf.Tensor, prefix: KeyValuePrefix | null = null): tf.Tensor {
    return tf.tidy(() => {
      const a = addResidual(x, this.self_attn.forward(this.layer_norm1.forward(x), prefix));
      return addResidual(a, this.mlp.forward(this.layer_norm2.forward(a)));
    });
  }
}

/** HF `CLIPEncoder`: `layers.N`. */
export class CLIPEncoder extends Module {
  layers: CLIPEncoderLayer[];
  constructor(c: ClipVisionConfig) {
    super();
    this.layers = Array.from({ length: c.numHiddenLayers }, () => new CLIPEncoderLayer(c));
  }
  /**
   * The last layer's output; with `keep`, also every layer's input and the last output
   * (transformers' `hidden_states`: `num_hidden_layers + 1` tensors, the first the encoder's input).
   */
  forward(x: tf.Tensor, prefixes: (KeyValuePrefix | null)[] | null = null, keep = false): { last: tf.Tensor; all: tf.Tensor[] | null } {
    const all: tf.Tensor[] | null = keep ? [x] : null;
    let h = x;
    this.layers.forEach((l, i) => {
      const next = l.forward(h, prefixes?.[i] ?? null);
      if (all) all.push(next);
      else if (h !== x) h.dispose();
      h = next;
    });
    return { last: h, all };
  }
}

export interface CLIPVisionInputs {
  /** `[B, C, image_size, image_size]` (`CLIPImageProcessor`'s `pixel_values`) */
  pixelValues: tf.Tensor;
  /** return `hiddenStates` (transformers' `output_hidden_states`), default false */
  outputHiddenStates?: boolean;
  /** learned key/value prefixes per layer (prefix tuning) */
  prefixes?: (KeyValuePrefix | null)[] | null;
  /** transformers' `interpolate_pos_encoding`: only false (the default) is implemented */
  interpolatePosEncoding?: false;
}

export interface CLIPVisionOutput {
  /** the last encoder layer's output `[B, 1 + patches, hidden]` (no final norm, as transformers) */
  lastHiddenState: tf.Tensor;
  /** `post_layernorm` of the CLS position `[B, hidden]` */
  poolerOutput: tf.Tensor;
  /**
   * With `outputHiddenStates`: `num_hidden_layers + 1` tensors `[B, 1 + patches, hidden]`, the
   * encoder's input (after `pre_layrnorm`) and each layer's output; `hiddenStates.at(-1)` is
   * `lastHiddenState` (the same tensor). LLaVA's `vision_feature_layer` −2 is `hiddenStates.at(-2)`.
   */
  hiddenStates?: tf.Tensor[];
}

/** CLIP's text half and contrastive scale: ignored, without a warning, by the vision classes. */
const CLIP_TEXT_WEIGHTS = /^(text_model\.|text_projection\.|logit_scale$)/;

/** A checkpoint's weights without CLIP's text tower (a full `CLIPModel` checkpoint loads into the vision classes). */
export function withoutClipTextWeights<T>(weights: Map<string, T>): Map<string, T> {
  return new Map([...weights].filter(([k]) => !CLIP_TEXT_WEIGHTS.test(k)));
}

export interface CLIPVisionModelOptions {
  /** the config already parsed, when a model holding this one passes its own */
  parsed?: ClipVisionConfig;
}

/**
 * HF `CLIPVisionModel` (transformers 5 layout: `embeddings`, `pre_layrnorm`, `encoder.layers.N`,
 * `post_layernorm` at the top, as it saves them). `config` is a `CLIPVisionConfig` or a
 * `CLIPConfig` (its `vision_config` is used and saved). Loads a transformers 5 `CLIPVisionModel`
 * folder, and the `vision_model.*` weights of a transformers 4 `CLIPVisionModel`, a
 * `CLIPVisionModelWithProjection` or a full `CLIPModel` checkpoint; the text tower, both
 * projections and `logit_scale` are skipped without a warning.
 */
export class CLIPVisionModel extends PreTrainedModel {
  /** not HF's `base_model_prefix` (`clip`) but where `CLIPModel` holds this tower, so prefixed checkpoints load */
  static override baseModelPrefix = 'vision_model';
  embeddings: CLIPVisionEmbeddings;
  pre_layrnorm: LayerNorm;
  encoder: CLIPEncoder;
  post_layernorm: LayerNorm;
  readonly c: ClipVisionConfig;
  constructor(config: RawConfig, options: CLIPVisionModelOptions = {}) {
    super(clipVisionRawConfig(config));
    this.c = options.parsed ?? parseClipVisionConfig(this.config);
    this.embeddings = new CLIPVisionEmbeddings(this.c);
    this.pre_layrnorm = new LayerNorm(this.c.hiddenSize, this.c.layerNormEps);
    this.encoder = new CLIPEncoder(this.c);
    this.post_layernorm = new LayerNorm(this.c.hiddenSize, this.c.layerNormEps);
  }

  override describe(): ModelDescription {
    return describeClipVision(this.c, '');
  }

  override loadPretrainedWeights(weights: Map<string, RawTensor | tf.Tensor>, options: FromPretrainedOptions = {}): void {
    super.loadPretrainedWeights(withoutClipTextWeights(weights), options);
  }

  forward(inputs: CLIPVisionInputs): CLIPVisionOutput {
    checkInputKeys(inputs);
    if (inputs.interpolatePosEncoding)
      throw new ShapeError(
        'pixel_values',
        `[B,${this.c.numChannels},${this.c.imageSize},${this.c.imageSize}] (interpolate_pos_encoding is not implemented)`,
        inputs.pixelValues.shape,
      );
    const e = this.embeddings.forward(inputs.pixelValues);
    const x = this.pre_layrnorm.forward(e);
    e.dispose();
    const keep = inputs.outputHiddenStates ?? false;
    const { last, all } = this.encoder.forward(x, inputs.prefixes ?? null, keep);
    if (!keep && last !== x) x.dispose();
    const poolerOutput = tf.tidy(() => this.post_layernorm.forward(firstToken(last)));
    return all ? { lastHiddenState: last, poolerOutput, hiddenStates: all } : { lastHiddenState: last, poolerOutput };
  }
}
