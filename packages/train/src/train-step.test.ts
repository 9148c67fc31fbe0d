import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossEntropy, manualSeed } from '@tfjs-peft/core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { Trainer, AdamW, SGD, OptimizerOptionError, TrainingDivergedError, createTrainStep, memorySink, callbackSink, type LogRecord } from './index';
import { Net, data, setup, weights, type Batch } from './test-fixture';

const lossOf = (m: Net) => (b: Batch) => crossEntropy(m.forward(b.x), b.y) as tf.Scalar;
const half = (b: Batch, i: number): Batch => ({ x: tf.slice(b.x, [2 * i, 0], [2, 4]), y: tf.slice(b.y, [2 * i], [2]) });

function net(): Net {
  manualSeed(1);
  const m = new Net();
  m.eval();
  return m;
}

describe('createTrainStep in a custom loop', () => {
  beforeAll(() => useBackend('cpu'));

  it('2 micro-batches of 2 == 1 batch of 4 (within 1e-6), with clipping; no tensor left behind', async () => {
    const batches = data()(0);
    const a = net();
    const b = net();
    const optA = new AdamW(a.trainableParameters());
    const optB = new AdamW(b.trainableParameters());
    const stepA = createTrainStep({ optimizer: optA, maxGradNorm: 0.5 });
    const stepB = createTrainStep({ optimizer: optB, params: b.trainableParameters(), maxGradNorm: 0.5 });
    const halves = batches.map((x) => [half(x, 0), half(x, 1)]);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) {
      const ra = await stepA.step([batches[i]!], lossOf(a), { lr: 0.05 });
      const rb = await stepB.step(halves[i]!, lossOf(b), { lr: 0.05 });
      expect(Math.abs(ra.loss - rb.loss)).toBeLessThan(1e-6);
      expect(Math.abs(ra.gradNorm! - rb.gradNorm!)).toBeLessThan(1e-6);
      expect(ra.skipped).toBe(false);
    }
    // only the moments were made (lazily, at the first step): 2 per parameter
    expect(tf.memory().numTensors - start).toBe(2 * a.trainableParameters().length * 2);
    const before = tf.memory().numTensors;
    await stepA.step([batches[4]!], lossOf(a), { lr: 0.05 });
    await stepB.step(halves[4]!, lossOf(b), { lr: 0.05 });
    expect(tf.memory().numTensors).toBe(before);
    const wa = (await weights(a)).flat();
    const wb = (await weights(b)).flat();
    expect(Math.max(...wa.map((v, i) => Math.abs(v - wb[i]!)))).toBeLessThan(1e-6);
    expect(wa).not.toEqual((await weights(net())).flat());
    expect(stepA.steps).toBe(5);
    optA.dispose();
    optB.dispose();
  });

  it('a NaN gradient skips the update; the skip limit and a NaN loss throw TrainingDivergedError; nothing leaks', async () => {
    const m = net();
    const opt = new SGD(m.trainableParameters());
    const step = createTrainStep({ optimizer: opt, maxConsecutiveSkippedSteps: 2 });
    const b = data()(0)[0]!;
    const nanGrad = (x: Batch) => tf.add(lossOf(m)(x), tf.sqrt(tf.mul(tf.sum(m.a.weight.value), 0))) as tf.Scalar;
    const w0 = await weights(m);
    const start = tf.memory().numTensors;
    const r = await step.step([b], nanGrad, { lr: 0.1 });
    expect(r.skipped).toBe(true);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(await weights(m)).toEqual(w0);
    expect(opt.state().step).toBe(0);
    expect(tf.memory().numTensors).toBe(start);
    await step.step([b], lossOf(m), { lr: 0.1 }); // resets the count
    expect(step.skippedInARow).toBe(0);
    await step.step([b], nanGrad, { lr: 0.1 });
    const err = await step.step([b], nanGrad, { lr: 0.1, step: 42 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/non-finite for 2 steps in a row \(last at step 42/);
    const lossErr = await step.step([b], (x) => tf.mul(lossOf(m)(x), NaN) as tf.Scalar, { lr: 0.1 }).catch((e: unknown) => e);
    expect((lossErr as Error).message).toMatch(/loss is NaN at step 5; training stopped without applying this update/);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('Trainer with an optimizer instance', () => {
  beforeAll(() => useBackend('cpu'));

  it('an AdamW instance trains exactly as the name does, and resumes exactly from its checkpoint', async () => {
    const named = setup({ weightDecay: 0.01 });
    await named.trainer.train();
    const expected = await weights(named.model);
    // an instance built over the same parameters (setup builds the model with seed 1)
    const s = setup();
    const inst = new AdamW(s.model.trainableParameters(), { weightDecay: 0.01 });
    const t = new Trainer<Batch>({ ...s.options, optimizer: inst });
    expect(t.optimizer).toBe(inst);
    await t.train();
    expect(await weights(s.model)).toEqual(expected);
    // exact resume with an instance: 4 steps, checkpoint, a fresh instance resumes to the same weights
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-inst-'));
    const first = setup({ outputDir: dir, saveEvery: 4, maxSteps: 4 });
    await new Trainer<Batch>({
      ...first.options,
      maxSteps: 10,
      optimizer: new AdamW(first.model.trainableParameters()),
      callbacks: {
        onStep: (l) => {
          if (l.step === 5) throw new Error('crash');
        },
      },
    })
      .train()
      .catch(() => undefined);
    const second = setup({ outputDir: dir });
    const resumed = new Trainer<Batch>({ ...second.options, optimizer: new AdamW(second.model.trainableParameters()) });
    await resumed.resumeFrom(join(dir, 'checkpoint-4'));
    await resumed.train();
    expect(await weights(second.model)).toEqual(expected);
    t.dispose(); // an instance stays the caller's
    expect(inst.stateBytes()).toBeGreaterThan(0);
    inst.dispose();
  });

  it('a bad optimizer value names the field and the valid names', () => {
    expect(() => setup({ optimizer: 'adam' as never })).toThrow(OptimizerOptionError);
    expect(() => setup({ optimizer: 'adam' as never })).toThrow(/^optimizer: expected one of "adamw", "sgd" or an Optimizer instance .* got "adam"$/);
    expect(() => setup({ optimizer: { apply() {} } as never })).toThrow(/optimizer: .*got an object without the Optimizer interface/);
    const other = new Net();
    expect(() => setup({ optimizer: new AdamW(other.trainableParameters()) })).toThrow(/optimizer\.params: "a\.weight" is not a trainable parameter of the model/);
    const s = setup();
    expect(() => setup({ model: s.model, optimizer: new SGD(s.model.trainableParameters()), momentum: 0.9 })).toThrow(/^momentum: applies only to an optimizer built by name/);
  });
});

describe('Trainer log sinks', () => {
  beforeAll(() => useBackend('cpu'));

  it('memorySink and callbackSink get the same records as log.jsonl', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-sink-'));
    const mem = memorySink();
    const seen: LogRecord[] = [];
    let i = 0;
    const { trainer } = setup({
      maxSteps: 4,
      outputDir: dir,
      evalEvery: 2,
      evaluate: async () => ({ accuracy: [0.5, 0.6][i++]! }),
      logSinks: [mem, callbackSink((r) => void seen.push(r))],
    });
    await trainer.train();
    const file = (await readFile(join(dir, 'log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(file.length).toBe(6);
    expect(mem.records).toEqual(file);
    expect(seen).toEqual(file);
    expect(file[2]).toEqual({ step: 2, eval: { accuracy: 0.5 } });
  });
});
