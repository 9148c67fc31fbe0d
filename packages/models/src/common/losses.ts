import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, mse } from '@tfjs-peft/core';
import { ConfigError } from './config';
import { toInt32 } from './text-inputs';

export type ProblemType = 'regression' | 'single_label_classification' | 'multi_label_classification';

/** `BCEWithLogitsLoss` (mean): `max(z,0) − z·y + log(1 + e^{−|z|})`. */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.cast(targets, 'float32');
    const loss = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mean(loss);
  });
}

/**
 * The sequence/image classification loss as transformers picks it: `problem_type` from the
 * config, else regression when num_labels is 1, single-label for integer labels, multi-label otherwise.
 */
export function classificationLoss(logits: tf.Tensor, labels: tf.Tensor, numLabels: number, problemType: ProblemType | null): tf.Tensor {
  const type: ProblemType = problemType ?? (numLabels === 1 ? 'regression' : labels.dtype === 'int32' ? 'single_label_classification' : 'multi_label_classification');
  return tf.tidy(() => {
    switch (type) {
      case 'regression':
        return numLabels === 1 ? mse(tf.squeeze(logits, [1]), tf.reshape(tf.cast(labels, 'float32'), [-1])) : mse(logits, tf.cast(labels, 'float32'));
      case 'single_label_classification':
        if (labels.dtype !== 'int32') throw new ConfigError(`single_label_classification needs integer labels, got ${labels.dtype}`);
        return crossEntropy(tf.reshape(logits, [-1, numLabels]), tf.reshape(labels, [-1]));
      case 'multi_label_classification':
        return bceWithLogits(logits, labels);
    }
  });
}

/** Token-level loss (masked LM, token classification): cross-entropy of `[B, T, C]` logits against `[B, T]` labels, positions labelled −100 ignored. */
export function tokenLoss(logits: tf.Tensor, labels: tf.Tensor, numClasses: number): tf.Tensor {
  return tf.tidy(() => crossEntropy(tf.reshape(logits, [-1, numClasses]), tf.reshape(toInt32(labels, 'labels')!, [-1])));
}
