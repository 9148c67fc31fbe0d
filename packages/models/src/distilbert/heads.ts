import * as tf from '@tensorflow/tfjs-core';
import { Linear, LayerNorm, Dropout, activation, type ModelDescription } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import type { RawConfig } from '../common/config';
import { classificationLoss, tokenLoss } from '../common/losses';
import { FirstTokenOnlyError, firstToken } from '../common/first-token';
import { parseDistilBertConfig, type DistilBertConfig } from './config';
import { DistilBertModel, type DistilBertInputs } from './distilbert-model';
import { describeDistilBert } from './describe';

export interface DistilBertLabelledInputs extends DistilBertInputs {
  /** int32 class ids, float32 targets (regression / multi-label), or −100 to ignore (MLM) */
  labels?: tf.Tensor | null;
}

export interface DistilBertHeadOutput {
  logits: tf.Tensor;
  loss?: tf.Tensor;
  lastHiddenState: tf.Tensor;
}

/** HF `DistilBertForSequenceClassification`: first token → pre_classifier → ReLU → dropout → classifier. */
export class DistilBertForSequenceClassification extends PreTrainedModel {
  static override baseModelPrefix = 'distilbert';
  distilbert: DistilBertModel;
  pre_classifier: Linear;
  classifier: Linear;
  dropout: Dropout;
  readonly c: DistilBertConfig;
  constructor(config: RawConfig) {
    super(config);
    this.c = parseDistilBertConfig(config);
    this.distilbert = new DistilBertModel(config, { parsed: this.c });
    this.pre_classifier = new Linear(this.c.dim, this.c.dim, { initStd: 0.02 });
    this.classifier = new Linear(this.c.dim, this.c.numLabels, { initStd: 0.02 });
    this.dropout = new Dropout(this.c.seqClassifDropout);
  }

  override describe(): ModelDescription {
    return describeDistilBert(this.c, 'distilbert');
  }

  forward(inputs: DistilBertLabelledInputs): DistilBertHeadOutput {
    const out = this.distilbert.forward(inputs);
    const logits = tf.tidy(() => this.classifier.forward(this.dropout.forward(tf.relu(this.pre_classifier.forward(firstToken(out.lastHiddenState))))));
    const loss = inputs.labels ? classificationLoss(logits, inputs.labels, this.c.numLabels, this.c.problemType) : undefined;
    return { logits, loss, ...out };
  }
}

/** HF `DistilBertForMaskedLM`: vocab_transform → activation → vocab_layer_norm → vocab_projector (weight tied to the word embeddings). */
export class DistilBertForMaskedLM extends PreTrainedModel {
  static override baseModelPrefix = 'distilbert';
  protected static override tiedKeys = [/^vocab_projector\.weight$/];
  distilbert: DistilBertModel;
  vocab_transform: Linear;
  vocab_layer_norm: LayerNorm;
  vocab_projector: Linear;
  readonly c: DistilBertConfig;
  private readonly _act: (x: tf.Tensor) => tf.Tensor;
  constructor(config: RawConfig) {
    super(config);
    this.c = parseDistilBertConfig(config);
    this.distilbert = new DistilBertModel(config, { parsed: this.c });
    this.vocab_transform = new Linear(this.c.dim, this.c.dim, { initStd: 0.02 });
    this.vocab_layer_norm = new LayerNorm(this.c.dim, 1e-12);
    this.vocab_projector = new Linear(this.c.dim, this.c.vocabSize);
    this.vocab_projector.weight.dispose();
    this.vocab_projector.weight = this.distilbert.embeddings.word_embeddings.weight;
    this._act = activation(this.c.activation);
  }

  override describe(): ModelDescription {
    return describeDistilBert(this.c, 'distilbert');
  }

  forward(inputs: DistilBertLabelledInputs): DistilBertHeadOutput {
    if (inputs.firstTokenOnly) throw new FirstTokenOnlyError('DistilBertForMaskedLM', 'reads every token');
    const out = this.distilbert.forward(inputs);
    const logits = tf.tidy(() => this.vocab_projector.forward(this.vocab_layer_norm.forward(this._act(this.vocab_transform.forward(out.lastHiddenState)))));
    const loss = inputs.labels ? tokenLoss(logits, inputs.labels, this.c.vocabSize) : undefined;
    return { logits, loss, ...out };
  }
}
