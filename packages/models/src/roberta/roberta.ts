import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm, Dropout, Parameter, gelu } from '@tfjs-peft/core';
import { PreTrainedModel } from '../common/pretrained';
import { ConfigError, ConfigReader, type RawConfig } from '../common/config';
import { classificationLoss, tokenLoss } from '../common/losses';
import { parseBertConfig, type BertConfig } from '../bert/config';
import { BertModel, type BertModelOptions } from '../bert/bert-model';
import type { ClassifierOutput, LabelledInputs } from '../bert/heads';
import { FirstTokenOnlyError, firstToken } from '../common/first-token';
import type { ModelDescription } from '@tfjs-peft/core';
import { describeBertFamily } from '../bert/describe';

/**
 * RoBERTa is BERT with positions that start after the padding id and skip padding, one token type,
 * and its own heads; the encoder is `BertModel` with `model_type: "roberta"`.
 */
export function parseRobertaConfig(raw: RawConfig): BertConfig {
  const c = new ConfigReader(raw); // rejects a null or non-object config by file name
  if (raw.model_type !== 'roberta') throw new ConfigError(`${c.label}: "model_type" = ${JSON.stringify(raw.model_type)}; Roberta* classes need "roberta"`);
  return parseBertConfig(raw);
}

/** HF `RobertaModel`: `BertModel` with RoBERTa's config and checkpoint prefix. */
export class RobertaModel extends BertModel {
  static override baseModelPrefix = 'roberta';
  constructor(config: RawConfig, options: BertModelOptions = {}) {
    super(config, { ...options, parsed: options.parsed ?? parseRobertaConfig(config) }); // rejects other model types by name
  }
}

/** HF `RobertaClassificationHead`: `<s>` state → dropout → dense → tanh → dropout → `out_proj`. */
export class RobertaClassificationHead extends Module {
  dense: Linear;
  dropout: Dropout;
  out_proj: Linear;
  constructor(c: BertConfig) {
    super();
    this.dense = new Linear(c.hiddenSize, c.hiddenSize, { initStd: 0.02 });
    this.dropout = new Dropout(c.classifierDropout ?? c.hiddenDropoutProb);
    this.out_proj = new Linear(c.hiddenSize, c.numLabels, { initStd: 0.02 });
  }
  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const x = this.dropout.forward(firstToken(hidden));
      return this.out_proj.forward(this.dropout.forward(tf.tanh(this.dense.forward(x))));
    });
  }
}

/** HF `RobertaForSequenceClassification` (no pooler; the head reads `<s>`). */
export class RobertaForSequenceClassification extends PreTrainedModel {
  static override baseModelPrefix = 'roberta';
  roberta: RobertaModel;
  classifier: RobertaClassificationHead;
  readonly c: BertConfig;
  constructor(config: RawConfig) {
    super(config);
    this.c = parseRobertaConfig(config);
    this.roberta = new RobertaModel(config, { parsed: this.c, addPoolingLayer: false });
    this.classifier = new RobertaClassificationHead(this.c);
  }

  override describe(): ModelDescription {
    return describeBertFamily(this.c, 'roberta', 'roberta');
  }
  forward(inputs: LabelledInputs): ClassifierOutput {
    const out = this.roberta.forward(inputs);
    const logits = this.classifier.forward(out.lastHiddenState);
    const loss = inputs.labels ? classificationLoss(logits, inputs.labels, this.c.numLabels, this.c.problemType) : undefined;
    return { logits, loss, ...out };
  }
}

/** HF `RobertaLMHead`: dense → gelu → layer_norm → decoder (tied to the word embeddings) + bias. */
export class RobertaLMHead extends Module {
  dense: Linear;
  layer_norm: LayerNorm;
  decoder: Linear;
  bias: Parameter;
  constructor(c: BertConfig, wordEmbeddings: Parameter) {
    super();
    this.dense = new Linear(c.hiddenSize, c.hiddenSize, { initStd: 0.02 });
    this.layer_norm = new LayerNorm(c.hiddenSize, c.layerNormEps);
    this.decoder = new Linear(c.hiddenSize, c.vocabSize, { bias: false });
    this.decoder.weight.dispose();
    this.decoder.weight = wordEmbeddings;
    this.bias = new Parameter(tf.zeros([c.vocabSize]), { name: 'bias' });
  }
  forward(h: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.decoder.forward(this.layer_norm.forward(gelu(this.dense.forward(h)))), this.bias.value));
  }
}

/** HF `RobertaForMaskedLM`. */
export class RobertaForMaskedLM extends PreTrainedModel {
  static override baseModelPrefix = 'roberta';
  protected static override tiedKeys = [/^lm_head\.decoder\.(weight|bias)$/];
  roberta: RobertaModel;
  lm_head: RobertaLMHead;
  readonly c: BertConfig;
  constructor(config: RawConfig) {
    super(config);
    this.c = parseRobertaConfig(config);
    this.roberta = new RobertaModel(config, { parsed: this.c, addPoolingLayer: false });
    this.lm_head = new RobertaLMHead(this.c, this.roberta.embeddings.word_embeddings.weight);
  }

  override describe(): ModelDescription {
    return describeBertFamily(this.c, 'roberta', 'roberta');
  }
  forward(inputs: LabelledInputs): ClassifierOutput {
    if (inputs.firstTokenOnly) throw new FirstTokenOnlyError('RobertaForMaskedLM', 'reads every token');
    const out = this.roberta.forward(inputs);
    const logits = this.lm_head.forward(out.lastHiddenState);
    const loss = inputs.labels ? tokenLoss(logits, inputs.labels, this.c.vocabSize) : undefined;
    return { logits, loss, ...out };
  }
}
