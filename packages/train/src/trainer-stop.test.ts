import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { setup, weights } from './test-fixture';

describe('Trainer.stop', () => {
  beforeAll(() => useBackend('cpu'));

  it('stops after the step in progress, saves that step, and the resumed run ends on the uninterrupted weights', async () => {
    const full = setup({ maxSteps: 10 });
    await full.trainer.train();
    const expected = await weights(full.model);

    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-stop-'));
    // step 7 crosses an epoch (6 batches an epoch): the data position and seed stream must carry over
    const first = setup({ maxSteps: 10, outputDir: dir, saveEvery: 3, callbacks: { onStep: (l) => (l.step === 7 ? first.trainer.stop() : undefined) } });
    const r = await first.trainer.train();
    expect(r.steps).toBe(7);
    expect(r.stoppedEarly).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith('checkpoint-')).sort()).toEqual(['checkpoint-3', 'checkpoint-6', 'checkpoint-7']);
    expect(await weights(first.model)).not.toEqual(expected);

    const second = setup({ maxSteps: 10, outputDir: dir });
    await second.trainer.resumeFrom(join(dir, 'checkpoint-7'));
    const rest = await second.trainer.train();
    expect(rest.steps).toBe(10);
    expect(rest.stoppedEarly).toBe(false);
    expect(await weights(second.model)).toEqual(expected);
  });

  it('a stop on a step that was just saved writes no second copy; the flag is cleared for the next train()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-stop-'));
    const s = setup({ maxSteps: 10, outputDir: dir, saveEvery: 2 });
    s.trainer.stop(); // before train(): stops after its first step
    expect((await s.trainer.train()).steps).toBe(1);
    expect((await readdir(dir)).filter((f) => f.startsWith('checkpoint-'))).toEqual(['checkpoint-1']);
    const t = setup({ maxSteps: 10, outputDir: dir, saveEvery: 2, callbacks: { onStep: (l) => (l.step === 4 ? t.trainer.stop() : undefined) } });
    expect((await t.trainer.train()).steps).toBe(4);
    expect((await readdir(dir)).filter((f) => f.startsWith('checkpoint-')).sort()).toEqual(['checkpoint-1', 'checkpoint-2', 'checkpoint-4']);
    const again = await t.trainer.train(); // the flag was cleared: runs on to maxSteps
    expect(again.steps).toBe(10);
    expect(again.stoppedEarly).toBe(false);
  });
});
