import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Parameter, ShapeError, activation, attention, nextSeed, addResidual, reshapeView } from '@tfjs-peft/core';
import { PatchEmbedding } from '../common/patch-embedding';
import type { KeyValuePrefix } from '../bert/attention';
import type { BlipVisionConfig } from './config';
import type { ModelDescription } from '@tfjs-peft/core';
import { describeBlipVision } from './describe';

/** HF `BlipVisionEmbeddings`: class embedding, conv patch embedding, position embedding (no LN). */
export class BlipVisionEmbeddings extends Module {
  class_embedding: Parameter;
  patch_embedding: PatchEmbedding;
  position_embedding: Parameter;
  constructor(readonly c: BlipVisionConfig) {
    super();
    const n = (c.imageSize / c.patchSize) ** 2;
    this.class_embedding = new Parameter(tf.randomNormal([1, 1, c.hiddenSize], 0, 0.02, 'float32', nextSeed()), { name: 'class_embedding' });
    this.patch_embedding = new PatchEmbedding(c.numChannels, c.hiddenSize, c.patchSize);
    this.position_embedding = new Parameter(tf.randomNormal([1, n + 1, c.hiddenSize], 0, 0.02, 'float32', nextSeed()), { name: 'position_embedding' });
  }
  forward(pixelValues: tf.Tensor): tf.Tensor {
    const s = pixelValues.shape;
    if (pixelValues.rank !== 4 || s[2] !== this.c.imageSize || s[3] !== this.c.imageSize) {
      throw new ShapeError('pixel_values', `[B,${this.c.numChannels},${this.c.imageSize},${this.c.imageSize}]`, s);
    }
    return tf.tidy(() => {
      const patches = this.patch_embedding.forward(pixelValues);
      const cls = tf.tile(this.class_embedding.value, [s[0]!, 1, 1]);
      return tf.add(tf.concat([cls, patches], 1), this.position_embedding.value);
    });
  }
}

/** HF `BlipAttention`: one fused `qkv` projection (rows q | k | v, head-major) and `projection`. */
export class BlipAttention extends Module {
  qkv: Linear;
  projection: Linear;
  constructor(readonly c: BlipVisionConfig) {
    super();
    this.qkv = new Linear(c.hiddenSize, 3 * c.hiddenSize, { initStd: 0.02 });
    this.projection = new Linear(c.hiddenSize, c.hiddenSize, { initStd: 0.02 });
  }
  forward(x: tf.Tensor, prefix: KeyValuePrefix | null = null): tf.Tensor {
    return tf.tidy(() => {
      const [b, t, h] = x.shape as [number, number, number];
      const heads = this.c.numAttentionHeads;
      // split the fused projection along its last axis (no rank-5 slicing: see ENVIRONMENT)
      const [q, k, v] = tf.split(this.qkv.forward(x), 3, 2).map((y) => tf.transpose(reshapeView(y, [b, t, heads, h / heads]), [0, 2, 1, 3])) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const ctx = attention(q, k, v, {
        prefixKey: prefix?.key ?? null,
        prefixValue: prefix?.value ?? null,
        dropoutRate: this.c.attentionDropout,
        seed: this.training ? nextSeed() : 0,
        training: this.training,
      });
      return this.projection.forward(reshapeView(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, h]));
    });
  }
}

export class BlipMLP extends Module {
  fc1: Linear;
  fc2: Linear;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: BlipVisionConfig) {
    super();
    this.fc1 = new Linear(c.hiddenSize, c.intermediateSize, { initStd: 0.02 });
    this.fc2 = new Linear(c.intermediateSize, c.hiddenSize, { initStd: 0.02 });
    this._act = activation(c.hiddenAct);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(this._act(this.fc1.forward(x))));
  }
}

/** HF `BlipEncoderLayer` (pre-LN): `x + self_attn(layer_norm1(x))`, `x + mlp(layer_norm2(x))`. */
export class BlipEncoderLayer extends Module {
  self_attn: BlipAttention;
  layer_norm1: LayerNorm;
  mlp: BlipMLP;
  layer_norm2: LayerNorm;
  constructor(c: BlipVisionConfig) {
    super();
    this.self_attn = new BlipAttention(c);
    this.layer_norm1 = new LayerNorm(c.hiddenSize, c.layerNormEps);
    this.mlp = new BlipMLP(c);
    this.layer_norm2 = new LayerNorm(c.hiddenSize, c.layerNormEps);
  }
  forward(x: tf.Tensor, prefix: KeyValuePrefix | null = null): tf.Tensor {
    return tf.tidy(() => {
      const a = addResidual(x, this.self_attn.forward(this.layer_norm1.forward(x), prefix));
      return addResidual(a, this.mlp.forward(this.layer_norm2.forward(a)));
    });
  }
}

export class BlipEncoder extends Module {
  layers: BlipEncoderLayer[];
  constructor(c: BlipVisionConfig) {
    super();
    this.layers = Array.from({ length: c.numHiddenLayers }, () => new BlipEncoderLayer(c));
  }
  forward(x: tf.Tensor, prefixes: (KeyValuePrefix | null)[] | null = null): tf.Tensor {
    let h = x;
    this.layers.forEach((l, i) => {
      const next = l.forward(h, prefixes?.[i] ?? null);
      if (h !== x) h.dispose();
      h = next;
    });
    return h;
  }
}

export interface VisionOutput {
  lastHiddenState: tf.Tensor;
  /** HF quirk kept: `post_layernorm` applied again to the (already normalised) CLS state */
  poolerOutput: tf.Tensor;
}

/** HF `BlipVisionModel`: embeddings → pre-LN encoder → `post_layernorm`. MISS's "ViT". */
export class BlipVisionModel extends Module {
  embeddings: BlipVisionEmbeddings;
  encoder: BlipEncoder;
  post_layernorm: LayerNorm;
  constructor(readonly c: BlipVisionConfig) {
    super();
    this.embeddings = new BlipVisionEmbeddings(c);
    this.encoder = new BlipEncoder(c);
    this.post_layernorm = new LayerNorm(c.hiddenSize, c.layerNormEps);
  }

  override describe(): ModelDescription {
    return describeBlipVision(this.c);
  }
  forward(pixelValues: tf.Tensor, prefixes: (KeyValuePrefix | null)[] | null = null): VisionOutput {
    const e = this.embeddings.forward(pixelValues);
    const h = this.encoder.forward(e, prefixes);
    e.dispose();
    const lastHiddenState = this.post_layernorm.forward(h);
    h.dispose();
    const poolerOutput = tf.tidy(() => {
      const [b, , d] = lastHiddenState.shape as [number, number, number];
      return this.post_layernorm.forward(tf.reshape(tf.slice(lastHiddenState, [0, 0, 0], [b, 1, d]), [b, d]));
    });
    return { lastHiddenState, poolerOutput };
  }
}
