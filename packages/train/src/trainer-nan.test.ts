import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossEntropy, readSafetensors, rawToTypedArray } from '@tfjs-peft/core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { TrainingDivergedError, loadCheckpoint } from './index';
import { setup, weights, Net } from './test-fixture';
import { AdamW } from './optim/adamw';

/** A loss whose value is finite at every call but whose gradient is NaN at call `bad`: d/dw √(0·Σw) = ∞·0. */
function nanGradLoss(model: Net, bad: number) {
  let calls = 0;
  return (b: { x: tf.Tensor; y: tf.Tensor }) => {
    calls++;
    const l = crossEntropy(model.forward(b.x), b.y) as tf.Scalar;
    return calls === bad ? (tf.add(l, tf.sqrt(tf.mul(tf.sum(model.a.weight.value), 0))) as tf.Scalar) : l;
  };
}

async function allFinite(file: string): Promise<boolean> {
  const f = await readSafetensors(file);
  return [...f.tensors].every(([n, raw]) => Array.from(rawToTypedArray(raw, n)).every(Number.isFinite));
}

describe('Trainer: NaN/Inf gradients with a finite loss', () => {
  beforeAll(() => useBackend('cpu'));

  for (const maxGradNorm of [1, 0]) {
    it(`skips the update (weights unchanged), keeps training and never saves non-finite weights (clipping ${maxGradNorm ? 'on' : 'off'})`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-nangrad-'));
      const snaps: number[][][] = [];
      const logs: { step: number; loss: number; skipped?: boolean }[] = [];
      const s = setup({
        maxSteps: 6,
        outputDir: dir,
        saveEvery: 1,
        maxGradNorm,
        callbacks: {
          onStep: async (l) => {
            logs.push(l);
            snaps.push(await weights(s.model));
          },
        },
      });
      s.options.loss = nanGradLoss(s.model, 3);
      const before = await weights(s.model);
      const r = await s.trainer.train();
      expect(r.steps).toBe(6);
      expect(logs.map((l) => l.skipped ?? false)).toEqual([false, false, true, false, false, false]);
      expect(Number.isFinite(logs[2]!.loss)).toBe(true);
      expect(snaps[2]).toEqual(snaps[1]); // step 3 applied nothing
      expect(snaps[1]).not.toEqual(before);
      expect(snaps[5]!.flat().every(Number.isFinite)).toBe(true);
      expect(s.trainer.optimizer.state().step).toBe(5); // the optimizer did not count the skipped step
      for (let k = 1; k <= 6; k++) {
        expect(await allFinite(join(dir, `checkpoint-${k}`, 'trainable.safetensors'))).toBe(true);
        expect(await allFinite(join(dir, `checkpoint-${k}`, 'optimizer.safetensors'))).toBe(true);
      }
      const log = (await readFile(join(dir, 'log.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(log[2].skipped).toBe(true);
      // the checkpoint after the skipped step resumes (validated: finite, complete)
      const fresh = setup();
      await loadCheckpoint(join(dir, 'checkpoint-3'), fresh.model, fresh.trainer.optimizer);
      expect(await weights(fresh.model)).toEqual(snaps[2]);
    });
  }

  it('stops with TrainingDivergedError after maxConsecutiveSkippedSteps non-finite gradients in a row', async () => {
    const s = setup({ maxSteps: 10, maxConsecutiveSkippedSteps: 3 });
    const model = s.model;
    s.options.loss = (b) => tf.add(crossEntropy(model.forward(b.x), b.y), tf.sqrt(tf.mul(tf.sum(model.a.weight.value), 0))) as tf.Scalar;
    const err = await s.trainer.train().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/gradient norm is non-finite for 3 steps in a row \(last at step 3/);
  });

  it('weights that became non-finite are not saved; the error names the real last good checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-nanweights-'));
    const s = setup({
      maxSteps: 6,
      outputDir: dir,
      saveEvery: 2,
      callbacks: {
        onStep: (l) => {
          if (l.step === 4) s.model.b.bias!.assign(tf.fill(s.model.b.bias!.shape, NaN));
        },
      },
    });
    const err = await s.trainer.train().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/has NaN or infinite values at step 4; checkpoint-4 was not saved\. Last good checkpoint: .*checkpoint-2$/);
    expect((err as TrainingDivergedError).lastCheckpoint).toMatch(/checkpoint-2$/);
    expect((await readdir(dir)).filter((d) => d.startsWith('checkpoint'))).toEqual(['checkpoint-2']);
  });

  it('saveCheckpoint itself refuses non-finite moments', async () => {
    const { saveCheckpoint, CheckpointError } = await import('./checkpoint');
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-nanmoments-'));
    const m = new Net();
    const opt = new AdamW(m.trainableParameters());
    const g = Object.fromEntries(m.trainableParameters().map(([, p]) => [p.variable.name, tf.fill(p.shape, 1e30)]));
    opt.apply(g, 1e-3); // v = (1 − β2)·g² overflows float32
    tf.dispose(Object.values(g));
    const err = await saveCheckpoint(join(dir, 'c'), m, opt, {
      step: 1,
      epoch: 0,
      batchInEpoch: 1,
      seedState: 1,
      bestMetric: null,
      bestStep: null,
      badEvals: 0,
      history: [],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/exp_avg_sq" has NaN or infinite values; refusing to save/);
    expect(await readdir(dir)).toEqual([]);
  });
});
