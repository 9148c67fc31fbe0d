import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { checkpointIo, latestCheckpoint, loadCheckpoint, recoverCheckpoints } from './checkpoint';
import { setup, weights } from './test-fixture';
import type { TrainerOptions } from './trainer';
import type { Batch } from './test-fixture';

const original = { ...checkpointIo };
const MUTATING = ['writeFile', 'rename', 'remove', 'syncDir'] as const;

/** Wraps the checkpoint file operations: the `k`-th mutating one (while armed) throws, as a crash would. */
function injectCrashAt(k: number): { arm(on: boolean): void; ops: string[]; crashed: () => boolean } {
  let armed = false;
  let crashed = false;
  const ops: string[] = [];
  for (const name of MUTATING) {
    (checkpointIo as Record<string, unknown>)[name] = async (...args: string[]) => {
      if (armed && !crashed) {
        ops.push(
          `${name}(${args
            .filter((a) => typeof a === 'string')
            .map((a) => a.replace(/.*\//, ''))
            .join(', ')})`,
        );
        if (ops.length === k) {
          crashed = true;
          throw new Error(`injected crash at ${ops[k - 1]}`);
        }
      }
      return (original[name] as (...a: unknown[]) => Promise<void>)(...args);
    };
  }
  return { arm: (on) => void (armed = on), ops, crashed: () => crashed };
}

afterEach(() => Object.assign(checkpointIo, original));

/** Every step is evaluated on an improving metric, so `best/` is re-saved (swapped) at 2, 4 and 6. */
function options(dir: string, onStep?: (step: number) => void): Partial<TrainerOptions<Batch>> {
  let step = 0;
  return {
    maxSteps: 6,
    outputDir: dir,
    saveEvery: 2,
    evalEvery: 2,
    metricForBest: 'accuracy',
    evaluate: async () => ({ accuracy: step / 10 }),
    callbacks: {
      onStep: (l) => {
        step = l.step;
        onStep?.(l.step);
      },
    },
  };
}

describe('a crash at any step of a checkpoint save leaves a complete checkpoint and best/', () => {
  beforeAll(() => useBackend('cpu'));

  it('crash at every file operation of the step-4 saves (best/ swap, checkpoint-4), then resume', async () => {
    const straight = setup({ maxSteps: 6 });
    await straight.trainer.train();
    const expected = await weights(straight.model);
    let total = Infinity;
    let sawWindow = false;
    for (let k = 1; k <= total; k++) {
      const dir = await mkdtemp(join(tmpdir(), `tfjs-peft-fault-${k}-`));
      const fault = injectCrashAt(k);
      const first = setup(options(dir, (s) => fault.arm(s === 4)));
      const err = await first.trainer.train().catch((e: Error) => e);
      Object.assign(checkpointIo, original);
      if (!fault.crashed()) {
        // k went past the last operation of the step-4 saves: all of them were tried
        total = k - 1;
        expect(total).toBeGreaterThanOrEqual(12);
        break;
      }
      expect(String(err)).toContain('injected crash');
      const left = await readdir(dir);
      if (!left.includes('best') && left.includes('best.swap-old')) sawWindow = true;

      // a fresh process: find the latest complete checkpoint (recovers first), check best/, resume
      const latest = await latestCheckpoint(dir);
      const where = `crash at ${fault.ops[k - 1]}`;
      expect(latest, where).toMatch(/checkpoint-(2|4)$/);
      expect(
        (await readdir(dir)).filter((n) => /\.tmp-|\.swap-old/.test(n)),
        where,
      ).toEqual([]);
      const probe = setup();
      const bestState = await loadCheckpoint(join(dir, 'best'), probe.model, probe.trainer.optimizer);
      expect([2, 4], where).toContain(bestState.step);
      const ckState = await loadCheckpoint(latest!, probe.model, probe.trainer.optimizer);
      expect(ckState.step).toBe(Number(/(\d+)$/.exec(latest!)![1]));

      const second = setup(options(dir));
      await second.trainer.resumeFrom(latest!);
      const r = await second.trainer.train();
      expect(r.steps).toBe(6);
      expect(await weights(second.model), where).toEqual(expected); // resume is still exact
      expect(JSON.parse(await readFile(join(dir, 'best', 'trainer_state.json'), 'utf8')).step).toBe(6);
    }
    expect(Number.isFinite(total)).toBe(true);
    expect(sawWindow).toBe(true); // some crash hit the window where only the aside copy of best/ existed
  });

  it('on start and resume: a folder missing beside its .swap-old copy is restored; orphaned .tmp folders go', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-recover-'));
    const s = setup({ maxSteps: 2, outputDir: dir, saveEvery: 2 });
    await s.trainer.train();
    const { rename, mkdir } = await import('node:fs/promises');
    await rename(join(dir, 'checkpoint-2'), join(dir, 'checkpoint-2.swap-old'));
    await mkdir(join(dir, 'checkpoint-4.tmp-123-456'));
    await mkdir(join(dir, 'best.tmp-9-9'));
    const again = setup({ maxSteps: 4, outputDir: dir });
    await again.trainer.resumeFrom(join(dir, 'checkpoint-2'));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint-2', 'log.jsonl']);
    expect(await recoverCheckpoints(dir)).toEqual([]);
    expect((await again.trainer.train()).steps).toBe(4);
  });
});
