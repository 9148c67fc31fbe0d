import { describe, it, expect } from 'vitest';
import { ProgressBar, formatDuration } from './progress';

/** Steps 1..n of a run of `total`, one per `msPerStep` on a fake clock; the lines written. */
async function run(enabled: boolean | undefined, total: number, msPerStep: number, o: { isTTY?: boolean; start?: number } = {}): Promise<string[]> {
  const lines: string[] = [];
  let t = 0;
  const bar = new ProgressBar(enabled, { isTTY: o.isTTY ?? false, write: (l) => void lines.push(l), now: () => t });
  await bar.start(total, o.start ?? 0);
  for (let step = (o.start ?? 0) + 1; step <= total; step++) {
    t += msPerStep;
    bar.update({ step, total, loss: 2 / step, lr: 1e-4, tokensPerSecond: 512 });
  }
  bar.stop();
  return lines;
}

describe('ProgressBar without a TTY', () => {
  it('prints plain lines: the first step, every tenth of the run, the last (fast steps)', async () => {
    const lines = await run(true, 100, 10);
    expect(lines.map((l) => Number(/step (\d+)\//.exec(l)![1]))).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100]);
    expect(lines[0]).toBe('train step 1/100 | loss 2.0000 | lr 1.00e-4 | 512 tok/s | ETA 1s');
    expect(lines.at(-1)).toBe('train step 100/100 | loss 0.0200 | lr 1.00e-4 | 512 tok/s | done in 1s');
  });

  it('slow steps: a line every ~10 s; ETA from the pace so far', async () => {
    const lines = await run(true, 1000, 4000);
    expect(lines[1]).toMatch(/^train step 4\/1000 \| .* \| ETA 1h06m$/); // 996 steps × 4 s
    expect(lines.length).toBeGreaterThan(300);
  });

  it('undefined (the default) prints too; progress: false is silent, on a TTY or not', async () => {
    expect(await run(undefined, 50, 10)).toEqual(await run(true, 50, 10));
    expect((await run(undefined, 50, 10)).length).toBe(11);
    expect(await run(false, 50, 10)).toEqual([]);
    expect(await run(false, 50, 10, { isTTY: true })).toEqual([]);
  });

  it('a resumed run counts from its start step', async () => {
    const lines = await run(true, 20, 1000, { start: 10 });
    expect(lines[0]).toMatch(/^train step 11\/20 .* ETA 9s$/);
  });

  it('formats durations', () => {
    expect([formatDuration(5), formatDuration(95), formatDuration(3 * 3600 + 120), formatDuration(NaN)]).toEqual(['5s', '1m35s', '3h02m', '-']);
  });
});
