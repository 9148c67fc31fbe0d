import * as tf from '@tensorflow/tfjs-core';
import { Module, Embedding, Linear } from '@tfjs-peft/core';
import type { NamedTensor, PromptEncoder } from '../method';

export interface PrefixShape {
  numVirtualTokens: number;
  numLayers: number;
  numHeads: number;
  /** hidden size of the attended layers (PEFT `token_dim`) */
  tokenDim: number;
}

export interface LayerPrefix {
  key: tf.Tensor;
  value: tf.Tensor;
}

/**
 * PEFT's `PrefixEncoder`: learned key/value prefixes for every attention layer.
 * Without projection (P-Tuning v2) an `embedding` `[P, L·2·H]`; with projection (MILE's "Prefix")
 * `embedding` `[P, H]` → `transform` (Linear → tanh → Linear to `L·2·H`). The output row layout is
 * PEFT's: per token, layer-major, key before value, head-major — reshaped to per-layer
 * `{key, value}` of `[1, heads, P, headDim]` (broadcast over the batch by the attention op).
 */
export class PrefixEncoder extends Module implements PromptEncoder {
  embedding: Embedding;
  transform: PrefixTransform | null;

  constructor(
    readonly shape: PrefixShape,
    projection: boolean,
    encoderHiddenSize?: number,
  ) {
    super();
    const out = shape.numLayers * 2 * shape.tokenDim;
    if (projection) {
      this.embedding = new Embedding(shape.numVirtualTokens, shape.tokenDim);
      this.transform = new PrefixTransform(shape.tokenDim, encoderHiddenSize ?? shape.tokenDim, out);
    } else {
      this.embedding = new Embedding(shape.numVirtualTokens, out);
      this.transform = null;
    }
  }

  /** The table PEFT saves as `prompt_embeddings`: `[P, L·2·H]`. */
  table(): tf.Tensor {
    return tf.tidy(() => {
      const e = this.embedding.weight.value;
      return this.transform ? this.transform.forward(e) : e;
    });
  }

  /**
   * PEFT's `prompt_embeddings`: the table. A projected prefix saves its output table, as PEFT does
   * (so it reads back as P-Tuning v2) and cannot be loaded from one.
   */
  peftTensors(): NamedTensor[] {
    const { numVirtualTokens: p, numLayers: l, tokenDim: d } = this.shape;
    return [
      {
        name: 'prompt_embeddings',
        shape: [p, l * 2 * d],
        read: () => tf.tidy(() => tf.clone(this.table())),
        write: (t) => {
          if (this.transform) throw new Error('a projected prefix cannot be loaded from its table');
          this.embedding.weight.assign(t, 'prompt_embeddings');
        },
        parameter: this.transform ? undefined : this.embedding.weight,
      },
    ];
  }

  /** Per-layer prefixes `[1, heads, P, headDim]`. */
  forward(): LayerPrefix[] {
    const { numVirtualTokens: p, numLayers: l, numHeads: h, tokenDim: d } = this.shape;
    return tf.tidy(() => {
      // [P, L·2·H] → [P, L·2, heads, hd] → [L·2, heads, P, hd]
      const t = tf.transpose(tf.reshape(this.table(), [p, l * 2, h, d / h]), [1, 2, 0, 3]);
      const parts = tf.unstack(t, 0);
      return Array.from({ length: l }, (_, i) => ({ key: tf.expandDims(parts[2 * i]!, 0), value: tf.expandDims(parts[2 * i + 1]!, 0) }));
    });
  }
}

/** `transform.0` Linear → tanh → `transform.2` Linear, as PEFT's `nn.Sequential`. */
export class PrefixTransform extends Module {
  layers: Linear[];
  constructor(inF: number, hidden: number, out: number) {
    super();
    this.layers = [new Linear(inF, hidden), new Linear(hidden, out)];
  }
  override namedChildren(): Generator<[string, Linear]> {
    const [a, b] = this.layers as [Linear, Linear];
    return (function* () {
      yield ['0', a] as [string, Linear];
      yield ['2', b] as [string, Linear];
    })();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layers[1]!.forward(tf.tanh(this.layers[0]!.forward(x))));
  }
}
