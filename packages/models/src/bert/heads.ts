import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Dropout, Parameter, activation, addBias } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import { classificationLoss, tokenLoss } from '../common/losses';
import type { RawConfig } from '../common/config';
import { parseBertConfig, type BertConfig } from './config';
import { BertModel, type BertInputs } from './bert-model';
import { FirstTokenOnlyError } from '../common/first-token';
import type { ModelDescription } from '@tfjs-peft/core';
import { describeBertFamily } from './describe';

export interface LabelledInputs extends BertInputs {
  /** int32 class ids, float32 targets (regression / multi-label), or −100 to ignore (token level) */
  labels?: tf.Tensor | null;
}

export interface ClassifierOutput {
  logits: tf.Tensor;
  loss?: tf.Tensor;
  lastHiddenState: tf.Tensor;
  poolerOutput?: tf.Tensor;
}

/** HF `BertForSequenceClassification`: pooled output → dropout → classifier; loss by `problem_type`. */
export class BertForSequenceClassification extends PreTrainedModel {
  static override baseModelPrefix = 'bert';
  bert: BertModel;
  dropout: Dropout;
  classifier: Linear;
  readonly c: BertConfig;

  constructor(config: RawConfig) {
    super(config);
    this.c = parseBertConfig(config);
    this.bert = new BertModel(config, { parsed: this.c });
    this.dropout = new Dropout(this.c.classifierDropout ?? this.c.hiddenDropoutProb);
    this.classifier = new Linear(this.c.hiddenSize, this.c.numLabels, { initStd: 0.02 });
  }

  override describe(): ModelDescription {
    return describeBertFamily(this.c, 'bert', 'bert');
  }

  forward(inputs: LabelledInputs): ClassifierOutput {
    const out = this.bert.forward(inputs);
    const logits = tf.tidy(() => this.classifier.forward(this.dropout.forward(out.poolerOutput!)));
    const loss = inputs.labels ? classificationLoss(logits, inputs.labels, this.c.numLabels, this.c.problemType) : undefined;
    return { logits, loss, ...out };
  }
}

/** HF `BertForTokenClassification`: per-token classifier, cross-entropy ignoring −100. */
export class BertForTokenClassification extends PreTrainedModel {
  static override baseModelPrefix = 'bert';
  bert: BertModel;
  dropout: Dropout;
  classifier: Linear;
  readonly c: BertConfig;

  constructor(config: RawConfig) {
    super(config);
    this.c = parseBertConfig(config);
    this.bert = new BertModel(config, { parsed: this.c, addPoolingLayer: false });
    this.dropout = new Dropout(this.c.classifierDropout ?? this.c.hiddenDropoutProb);
    this.classifier = new Linear(this.c.hiddenSize, this.c.numLabels, { initStd: 0.02 });
  }

  override describe(): ModelDescription {
    return describeBertFamily(this.c, 'bert', 'bert');
  }

  forward(inputs: LabelledInputs): ClassifierOutput {
    if (inputs.firstTokenOnly) throw new FirstTokenOnlyError('BertForTokenClassification', 'reads every token');
    const out = this.bert.forward(inputs);
    const logits = tf.tidy(() => this.classifier.forward(this.dropout.forward(out.lastHiddenState)));
    const loss = inputs.labels ? tokenLoss(logits, inputs.labels, this.c.numLabels) : undefined;
    return { logits, loss, ...out };
  }
}

/** HF `BertPredictionHeadTransform`: dense → act → LayerNorm. */
export class BertPredictionHeadTransform extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(c: BertConfig) {
    super();
    this.dense = new Linear(c.hiddenSize, c.hiddenSize, { initStd: 0.02 });
    this.LayerNorm = new LayerNorm(c.hiddenSize, c.layerNormEps);
    this._act = activation(c.hiddenAct);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.LayerNorm.forward(this._act(this.dense.forward(x))));
  }
}

/**
 * HF `BertLMPredictionHead` (`cls.predictions`): transform, then a vocabulary projection whose
 * weight is tied to the word embeddings (the same `Parameter`), plus its own bias.
 */
export class BertLMPredictionHead extends Module {
  transform: BertPredictionHeadTransform;
  decoder: Linear;
  bias: Parameter;
  constructor(c: BertConfig, wordEmbeddings: Parameter | null) {
    super();
    this.transform = new BertPredictionHeadTransform(c);
    this.decoder = new Linear(c.hiddenSize, c.vocabSize, { bias: false, initStd: 0.02 });
    if (wordEmbeddings) {
      this.decoder.weight.dispose();
      this.decoder.weight = wordEmbeddings;
    }
    this.bias = new Parameter(tf.zeros([c.vocabSize]), { name: 'bias' });
  }
  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => addBias(this.decoder.forward(this.transform.forward(hidden)), this.bias.value));
  }
}

/** `cls` with `predictions` (HF `BertOnlyMLMHead`). */
export class BertOnlyMLMHead extends Module {
  predictions: BertLMPredictionHead;
  constructor(c: BertConfig, wordEmbeddings: Parameter | null) {
    super();
    this.predictions = new BertLMPredictionHead(c, wordEmbeddings);
  }
}

/** HF `BertForMaskedLM`: no pooler; the decoder is tied to the word embeddings; loss ignores −100. */
export class BertForMaskedLM extends PreTrainedModel {
  static override baseModelPrefix = 'bert';
  protected static override tiedKeys = [/^cls\.predictions\.decoder\.(weight|bias)$/];
  bert: BertModel;
  cls: BertOnlyMLMHead;
  readonly c: BertConfig;

  constructor(config: RawConfig) {
    super(config);
    this.c = parseBertConfig(config);
    this.bert = new BertModel(config, { parsed: this.c, addPoolingLayer: false });
    this.cls = new BertOnlyMLMHead(this.c, this.bert.embeddings.word_embeddings.weight);
  }

  override describe(): ModelDescription {
    return describeBertFamily(this.c, 'bert', 'bert');
  }

  forward(inputs: LabelledInputs): ClassifierOutput {
    if (inputs.firstTokenOnly) throw new FirstTokenOnlyError('BertForMaskedLM', 'reads every token');
    const out = this.bert.forward(inputs);
    const logits = this.cls.predictions.forward(out.lastHiddenState);
    const loss = inputs.labels ? tokenLoss(logits, inputs.labels, this.c.vocabSize) : undefined;
    return { logits, loss, ...out };
  }
}
