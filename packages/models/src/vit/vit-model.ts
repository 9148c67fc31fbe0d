import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Dropout, Parameter, ShapeError, activation, attention, nextSeed, addResidual, reshapeView } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import { PatchEmbedding } from '../common/patch-embedding';
import { classificationLoss } from '../common/losses';
import type { RawConfig } from '../common/config';
import type { KeyValuePrefix } from '../bert/attention';
import { parseViTConfig, type ViTConfig } from './config';
import { firstPosition, firstToken } from '../common/first-token';
import type { ModelDescription } from '@tfjs-peft/core';
import { describeViT } from './describe';
import { checkInputKeys } from '../common/input-keys';

/** `patch_embeddings.projection` (HF `ViTPatchEmbeddings`). */
export class ViTPatchEmbeddings extends Module {
  projection: PatchEmbedding;
  constructor(c: ViTConfig) {
    super();
    this.projection = new PatchEmbedding(c.numChannels, c.hiddenSize, c.patchSize);
  }
}

/** HF `ViTEmbeddings`: CLS token + patch embeddings + absolute position embeddings. */
export class ViTEmbeddings extends Module {
  cls_token: Parameter;
  patch_embeddings: ViTPatchEmbeddings;
  position_embeddings: Parameter;
  dropout: Dropout;
  constructor(readonly c: ViTConfig) {
    super();
    const n = (c.imageSize / c.patchSize) ** 2;
    this.cls_token = new Parameter(tf.randomNormal([1, 1, c.hiddenSize], 0, 0.02, 'float32', nextSeed()), { name: 'cls_token' });
    this.patch_embeddings = new ViTPatchEmbeddings(c);
    this.position_embeddings = new Parameter(tf.randomNormal([1, n + 1, c.hiddenSize], 0, 0.02, 'float32', nextSeed()), { name: 'position_embeddings' });
    this.dropout = new Dropout(c.hiddenDropoutProb);
  }
  forward(pixelValues: tf.Tensor): tf.Tensor {
    const s = pixelValues.shape;
    if (s[2] !== this.c.imageSize || s[3] !== this.c.imageSize) {
      throw new ShapeError('pixel_values', `[B,${this.c.numChannels},${this.c.imageSize},${this.c.imageSize}] (position-embedding interpolation is not implemented)`, s);
    }
    return tf.tidy(() => {
      const patches = this.patch_embeddings.projection.forward(pixelValues);
      const b = s[0]!;
      const cls = tf.tile(this.cls_token.value, [b, 1, 1]);
      return this.dropout.forward(tf.add(tf.concat([cls, patches], 1), this.position_embeddings.value));
    });
  }
}

/** HF `ViTSelfAttention` (`attention.attention`). */
export class ViTSelfAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  constructor(readonly c: ViTConfig) {
    super();
    const o = { bias: c.qkvBias, initStd: 0.02 };
    this.query = new Linear(c.hiddenSize, c.hiddenSize, o);
    this.key = new Linear(c.hiddenSize, c.hiddenSize, o);
    this.value = new Linear(c.hiddenSize, c.hiddenSize, o);
  }
  /** `firstTokenOnly`: queries for the first position only, output `[B, 1, hidden]` (keys and values see every position). */
  forward(x: tf.Tensor, prefix: KeyValuePrefix | null = null, firstTokenOnly = false): tf.Tensor {
    return tf.tidy(() => {
      const [b, , h] = x.shape as [number, number, number];
      const heads = this.c.numAttentionHeads;
      const split = (y: tf.Tensor) => tf.transpose(reshapeView(y, [b, y.shape[1]!, heads, h / heads]), [0, 2, 1, 3]);
      const q = this.query.forward(firstTokenOnly ? firstPosition(x) : x);
      const ctx = attention(split(q), split(this.key.forward(x)), split(this.value.forward(x)), {
        prefixKey: prefix?.key ?? null,
        prefixValue: prefix?.value ?? null,
        dropoutRate: this.c.attentionProbsDropoutProb,
        seed: this.training ? nextSeed() : 0,
        training: this.training,
      });
      return reshapeView(tf.transpose(ctx, [0, 2, 1, 3]), [b, q.shape[1]!, h]);
    });
  }
}

/** `dense` → dropout (HF `ViTSelfOutput`; `ViTOutput` adds the residual). */
export class ViTDenseOut extends Module {
  dense: Linear;
  dropout: Dropout;
  constructor(c: ViTConfig, inF: number) {
    super();
    this.dense = new Linear(inF, c.hiddenSize, { initStd: 0.02 });
    this.dropout = new Dropout(c.hiddenDropoutProb);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.dropout.forward(this.dense.forward(x)));
  }
}

export class ViTAttention extends Module {
  attention: ViTSelfAttention;
  output: ViTDenseOut;
  constructor(c: ViTConfig) {
    super();
    this.attention = new ViTSelfAttention(c);
    this.output = new ViTDenseOut(c, c.hiddenSize);
  }
}

export class ViTIntermediate extends Module {
  dense: Linear;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: ViTConfig) {
    super();
    this.dense = new Linear(c.hiddenSize, c.intermediateSize, { initStd: 0.02 });
    this._act = activation(c.hiddenAct);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this._act(this.dense.forward(x)));
  }
}

/** HF `ViTLayer` (pre-LN): `x + attn(LN(x))`, then `x + mlp(LN(x))`. */
export class ViTLayer extends Module {
  attention: ViTAttention;
  intermediate: ViTIntermediate;
  output: ViTDenseOut;
  layernorm_before: LayerNorm;
  layernorm_after: LayerNorm;
  constructor(c: ViTConfig) {
    super();
    this.attention = new ViTAttention(c);
    this.intermediate = new ViTIntermediate(c);
    this.output = new ViTDenseOut(c, c.intermediateSize);
    this.layernorm_before = new LayerNorm(c.hiddenSize, c.layerNormEps);
    this.layernorm_after = new LayerNorm(c.hiddenSize, c.layerNormEps);
  }
  /** `firstTokenOnly`: the output is `[B, 1, hidden]`, the first position's state. */
  forward(x: tf.Tensor, prefix: KeyValuePrefix | null = null, firstTokenOnly = false): tf.Tensor {
    return tf.tidy(() => {
      const attn = this.attention.attention.forward(this.layernorm_before.forward(x), prefix, firstTokenOnly);
      const a = addResidual(this.attention.output.forward(attn), firstTokenOnly ? firstPosition(x) : x);
      return addResidual(this.output.forward(this.intermediate.forward(this.layernorm_after.forward(a))), a);
    });
  }
}

export class ViTEncoder extends Module {
  layer: ViTLayer[];
  constructor(c: ViTConfig) {
    super();
    this.layer = Array.from({ length: c.numHiddenLayers }, () => new ViTLayer(c));
  }
  /** `firstTokenOnly`: the last layer computes the first position only (`ViTInputs.firstTokenOnly`). */
  forward(x: tf.Tensor, prefixes: (KeyValuePrefix | null)[] | null = null, firstTokenOnly = false): tf.Tensor {
    let h = x;
    const last = this.layer.length - 1;
    this.layer.forEach((l, i) => {
      const next = l.forward(h, prefixes?.[i] ?? null, firstTokenOnly && i === last);
      if (h !== x) h.dispose();
      h = next;
    });
    return h;
  }
}

export class ViTPooler extends Module {
  dense: Linear;
  constructor(c: ViTConfig) {
    super();
    this.dense = new Linear(c.hiddenSize, c.hiddenSize, { initStd: 0.02 });
  }
  forward(h: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.tanh(this.dense.forward(firstToken(h))));
  }
}

export interface ViTInputs {
  pixelValues: tf.Tensor;
  labels?: tf.Tensor | null;
  prefixes?: (KeyValuePrefix | null)[] | null;
  /**
   * Compute the last layer for the CLS position only (its queries, attention output and MLP on one
   * row per image, keys and values on every patch): the pooler and `ViTForImageClassification`
   * read only that position, so their outputs and gradients are unchanged (exactly without
   * dropout); `lastHiddenState` is then `[B, 1, hidden]`. Default off, as transformers.
   */
  firstTokenOnly?: boolean;
}

export interface ViTOutput {
  lastHiddenState: tf.Tensor;
  poolerOutput?: tf.Tensor;
  logits?: tf.Tensor;
  loss?: tf.Tensor;
}

interface ViTParts {
  embeddings: ViTEmbeddings;
  encoder: ViTEncoder;
  layernorm: LayerNorm;
  pooler: ViTPooler | null;
}

function runViT(m: ViTParts, inputs: ViTInputs): ViTOutput {
  checkInputKeys(inputs);
  const e = m.embeddings.forward(inputs.pixelValues);
  const h = m.encoder.forward(e, inputs.prefixes ?? null, inputs.firstTokenOnly ?? false);
  e.dispose();
  const lastHiddenState = m.layernorm.forward(h);
  h.dispose();
  return m.pooler ? { lastHiddenState, poolerOutput: m.pooler.forward(lastHiddenState) } : { lastHiddenState };
}

export interface ViTModelOptions {
  /** HF `add_pooling_layer` (default true) */
  addPoolingLayer?: boolean;
  /** the config already parsed, when a model holding this one (the classifier) passes its own */
  parsed?: ViTConfig;
}

/** HF `ViTModel`; `ViTForImageClassification` holds one (without pooler) as `vit`. */
export class ViTModel extends PreTrainedModel implements ViTParts {
  static override baseModelPrefix = 'vit';
  embeddings: ViTEmbeddings;
  encoder: ViTEncoder;
  layernorm: LayerNorm;
  pooler: ViTPooler | null;
  readonly c: ViTConfig;
  constructor(config: RawConfig, options: ViTModelOptions = {}) {
    super(config);
    this.c = options.parsed ?? parseViTConfig(config);
    this.embeddings = new ViTEmbeddings(this.c);
    this.encoder = new ViTEncoder(this.c);
    this.layernorm = new LayerNorm(this.c.hiddenSize, this.c.layerNormEps);
    this.pooler = options.addPoolingLayer === false ? null : new ViTPooler(this.c);
  }

  override describe(): ModelDescription {
    return describeViT(this.c, '');
  }
  forward(inputs: ViTInputs): ViTOutput {
    return runViT(this, inputs);
  }
}

/** HF `ViTForImageClassification`: classifier on the final-layernorm CLS token; no pooler. */
export class ViTForImageClassification extends PreTrainedModel {
  static override baseModelPrefix = 'vit';
  vit: ViTModel;
  classifier: Linear;
  readonly c: ViTConfig;
  constructor(config: RawConfig) {
    super(config);
    this.c = parseViTConfig(config);
    this.vit = new ViTModel(config, { parsed: this.c, addPoolingLayer: false });
    this.classifier = new Linear(this.c.hiddenSize, this.c.numLabels, { initStd: 0.02 });
  }

  override describe(): ModelDescription {
    return describeViT(this.c, 'vit');
  }
  forward(inputs: ViTInputs): ViTOutput & { logits: tf.Tensor } {
    const out = this.vit.forward(inputs);
    const logits = tf.tidy(() => this.classifier.forward(firstToken(out.lastHiddenState)));
    const loss = inputs.labels ? classificationLoss(logits, inputs.labels, this.c.numLabels, this.c.problemType) : undefined;
    return { ...out, logits, loss };
  }
}
