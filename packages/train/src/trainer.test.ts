import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossEntropy } from '@tfjs-peft/core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { Trainer, TrainingDivergedError } from './index';
import { Net, setup, weights, type Batch } from './test-fixture';

describe('Trainer', () => {
  beforeAll(() => useBackend('cpu'));

  it('lowers the loss; the tensor count is flat from step 2 on over 100 steps', async () => {
    const counts: number[] = [];
    const start = tf.memory().numTensors;
    const { trainer, model, options } = setup({ maxSteps: 100, learningRate: 0.1, callbacks: { onStep: () => void counts.push(tf.memory().numTensors) } });
    const r = await trainer.train();
    expect(r.steps).toBe(100);
    expect(r.losses.slice(-6).reduce((a, b) => a + b) / 6).toBeLessThan(r.losses.slice(0, 6).reduce((a, b) => a + b) / 6);
    expect(new Set(counts.slice(1)).size).toBe(1);
    trainer.dispose();
    model.dispose();
    for (const b of (options.batches as (e: number) => Batch[])(0)) tf.dispose([b.x, b.y]);
    expect(tf.memory().numTensors).toBe(start); // optimizer state and parameters leave nothing behind
  });

  it('resume continues identically: 4 steps + checkpoint + 6 resumed steps == 10 straight steps (weights, optimizer, schedule, dropout seeds, data order)', async () => {
    const straight = setup();
    await straight.trainer.train();
    const expected = await weights(straight.model);
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-resume-'));
    // the same configuration, interrupted after step 4 (a crash), with a checkpoint every 4 steps
    const first = setup({
      outputDir: dir,
      saveEvery: 4,
      callbacks: {
        onStep: (l) => {
          if (l.step === 5) throw new Error('simulated crash');
        },
      },
    });
    await expect(first.trainer.train()).rejects.toThrow(/simulated crash/);
    // a fresh process would build the same model and trainer, then resume
    const second = setup({ outputDir: dir });
    await second.trainer.resumeFrom(join(dir, 'checkpoint-4'));
    const r = await second.trainer.train();
    expect(r.steps).toBe(10);
    expect(await weights(second.model)).toEqual(expected);
    const log = (await readFile(join(dir, 'log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10]); // step 5 logged by the crashed run, then redone
    expect(Object.keys(log[0])).toEqual(['step', 'epoch', 'loss', 'lr', 'gradNorm', 'stepMs', 'tokensPerSecond']);
    expect(log[0].lr).toBe(0); // warm-up starts at 0
  });

  it('gradient accumulation of 2 × batch 2 equals one step on batch 4', async () => {
    const full = setup({ maxSteps: 3, schedule: 'constant', warmupSteps: 0, maxGradNorm: 0 });
    full.model.eval();
    await full.trainer.train();
    const split = setup({
      maxSteps: 3,
      schedule: 'constant',
      warmupSteps: 0,
      maxGradNorm: 0,
      gradientAccumulationSteps: 2,
      batches: (e) =>
        [...full.options.batches(e)].flatMap((b) => [
          { x: tf.slice(b.x, [0, 0], [2, 4]), y: tf.slice(b.y, [0], [2]) },
          { x: tf.slice(b.x, [2, 0], [2, 4]), y: tf.slice(b.y, [2], [2]) },
        ]),
    });
    split.model.eval();
    await split.trainer.train();
    const a = (await weights(full.model)).flat();
    const b = (await weights(split.model)).flat();
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-6);
  });

  it('a NaN loss stops with a clear error and keeps the last good checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-nan-'));
    let calls = 0;
    const { trainer, model, options } = setup({
      outputDir: dir,
      saveEvery: 2,
      loss: (b) => {
        calls++;
        const l = crossEntropy(model.forward(b.x), b.y) as tf.Scalar;
        return calls === 4 ? (tf.mul(l, NaN) as tf.Scalar) : l;
      },
    });
    const err = await trainer.train().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/loss is NaN at step 4; training stopped without applying this update\. Last good checkpoint: .*checkpoint-2/);
    expect((await readdir(dir)).filter((d) => d.startsWith('checkpoint-'))).toEqual(['checkpoint-2']);
  });

  it('evaluates every N steps, keeps the best checkpoint and stops early after `patience` worse evaluations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-best-'));
    const scores = [0.5, 0.7, 0.6, 0.65, 0.55, 0.9];
    let i = 0;
    const seen: number[] = [];
    const { trainer } = setup({
      maxSteps: 12,
      outputDir: dir,
      evalEvery: 2,
      evaluate: async () => ({ accuracy: scores[i++]! }),
      metricForBest: 'accuracy',
      earlyStoppingPatience: 3,
      callbacks: { onEvaluate: (s) => void seen.push(s) },
    });
    const r = await trainer.train();
    expect(r.stoppedEarly).toBe(true);
    expect(seen).toEqual([2, 4, 6, 8, 10]);
    expect(r.bestMetric).toBe(0.7);
    expect(r.bestStep).toBe(4);
    expect(JSON.parse(await readFile(join(dir, 'best', 'trainer_state.json'), 'utf8')).step).toBe(4);
    const frozen = new Net();
    frozen.freeze();
    expect(() => setup({ model: frozen })).toThrow(/the model has no trainable parameters/);
    expect(() => setup({ model: frozen })).toThrow(/loaded with \{ isTrainable: true \}/); // names both causes
    // a PeftModel that loadPeft loaded frozen says so (the adapters package sets frozenReason)
    Object.assign(frozen, { frozenReason: 'adapter "default" was loaded frozen without { isTrainable: true }' });
    expect(() => setup({ model: frozen })).toThrow(/^adapter "default" was loaded frozen without \{ isTrainable: true \}$/);
  });
});
