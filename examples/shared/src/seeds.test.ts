import { describe, it, expect } from 'vitest';
import { formatMeanStd, lossSummary, meanStd, parseNumberList, scheduleSteps, summarizeRuns, type SeededRun } from './seeds';

const run = (method: string, seed: number, accuracy: number, o: Partial<SeededRun> = {}): SeededRun => ({
  method,
  seed,
  lr: 1e-3,
  metrics: { accuracy },
  trainablePercent: 1.5,
  trainableParams: 15,
  totalParams: 1000,
  peakBytes: 100,
  stepMs: 10,
  wallMs: 1000,
  losses: [1, 0.5],
  ...o,
});

describe('seed aggregation', () => {
  it('mean and sample standard deviation (n − 1)', () => {
    const { mean, std, n } = meanStd([0.8, 0.82, 0.84]);
    expect(n).toBe(3);
    expect(mean).toBeCloseTo(0.82, 12);
    expect(std).toBeCloseTo(0.02, 12); // sqrt((0.0004 + 0 + 0.0004) / 2)
    expect(meanStd([1]).std).toBeNaN();
  });
  it('formats mean ± std with four decimals', () => {
    expect(formatMeanStd([0.8, 0.82, 0.84])).toBe('0.8200 ± 0.0200');
    expect(formatMeanStd([0.5])).toBe('0.5000 ± –');
    expect(formatMeanStd([])).toBe('–');
    expect(formatMeanStd([1, 2], 1)).toBe('1.5 ± 0.7');
  });
  it('groups runs by method in order: per-seed values, max peak, median step, summed wall', () => {
    const s = summarizeRuns([run('full', 1, 0.6, { peakBytes: 300, stepMs: 12 }), run('lora', 1, 0.5), run('full', 2, 0.7, { stepMs: 8 }), run('full', 3, 0.8, { stepMs: 30 })]);
    expect(s.map((x) => x.method)).toEqual(['full', 'lora']);
    expect(s[0]).toMatchObject({ seeds: [1, 2, 3], metrics: { accuracy: [0.6, 0.7, 0.8] }, peakBytes: 300, stepMs: 12, wallMs: 3000, steps: 2 });
  });
  it('full-epoch steps unless --max-steps overrides; loss summary; number lists', () => {
    expect(scheduleSteps(64, 16, 1)).toBe(4);
    expect(scheduleSteps(65, 16, 3)).toBe(15);
    expect(scheduleSteps(65, 16, 3, 7)).toBe(7);
    expect(lossSummary([3, 2, 1, 2])).toEqual({ steps: 4, first: 3, last: 2, min: 1, meanLastTenth: 2 });
    expect(parseNumberList('seeds', '42, 43,44')).toEqual([42, 43, 44]);
    expect(parseNumberList('lr-grid', '1e-4,3e-4')).toEqual([1e-4, 3e-4]);
    expect(() => parseNumberList('seeds', '1,,2')).toThrow(/--seeds/);
  });
});
