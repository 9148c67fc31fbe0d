// Shared by the trainer's tests (not part of the package's entry point).
import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, Dropout, manualSeed, crossEntropy } from '@tfjs-peft/core';
import { Trainer, type TrainerOptions } from './index';

export class Net extends Module {
  a = new Linear(4, 8);
  drop = new Dropout(0.1);
  b = new Linear(8, 3);
  forward(x: tf.Tensor): tf.Tensor {
    return this.b.forward(tf.relu(this.drop.forward(this.a.forward(x))));
  }
}

export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** 6 fixed batches of a separable toy task; the order of an epoch depends only on the epoch. */
export function data(): (epoch: number) => Batch[] {
  const batches = Array.from({ length: 6 }, (_, i) => {
    const x = tf.randomNormal([4, 4], 0, 1, 'float32', 100 + i);
    const y = tf.tidy(() => tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32'));
    return { x, y };
  });
  return (epoch) => batches.map((_, i) => batches[(i + epoch) % batches.length]!);
}

export function setup(overrides: Partial<TrainerOptions<Batch>> = {}) {
  manualSeed(1);
  const model = new Net();
  model.train();
  const options: TrainerOptions<Batch> = {
    model,
    loss: (b) => crossEntropy(model.forward(b.x), b.y) as tf.Scalar,
    batches: data(),
    maxSteps: 10,
    learningRate: 0.05,
    schedule: 'linear',
    warmupSteps: 2,
    maxGradNorm: 1,
    progress: false,
    seed: 7,
    ...overrides,
  };
  return { model, trainer: new Trainer(options), options };
}

export async function weights(m: Module): Promise<number[][]> {
  return Promise.all(m.parameters().map(async (p) => Array.from(await p.value.data())));
}
