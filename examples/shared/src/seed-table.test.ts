import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedTable, sweepLines, writeSeedComparison } from './seed-table';
import { summarizeRuns, type SeededRun } from './seeds';

const run = (method: string, seed: number, f1: number): SeededRun => ({
  method,
  seed,
  lr: 3e-4,
  metrics: { accuracy: f1 - 0.1, f1 },
  trainablePercent: 0.25,
  trainableParams: 25,
  totalParams: 10000,
  peakBytes: 2 * 1024 * 1024,
  stepMs: 40,
  wallMs: 1500,
  losses: [0.7, 0.6, 0.5],
});
const baseline = { name: 'baseline: majority class', prediction: 1, metrics: { accuracy: 0.6838, f1: 0.8122 } };

describe('the multi-seed table', () => {
  it('has the baseline row first and mean ± std cells with n in the header', () => {
    const t = seedTable('MRPC', summarizeRuns([run('lora', 1, 0.8), run('lora', 2, 0.82)]), baseline).split('\n');
    expect(t[0]).toBe(
      '| method | lr | MRPC dev accuracy (mean ± std, n = 2) | MRPC dev f1 (mean ± std, n = 2) | trainable % | peak tensor memory | median step ms | wall s (all seeds) |',
    );
    expect(t[2]).toBe('| baseline: majority class | – | 0.6838 | 0.8122 | 0.000% | – | – | – |');
    expect(t[3]).toMatch(/^\| lora \| 3e-4 \| 0\.7100 ± 0\.0141 \| 0\.8100 ± 0\.0141 \| 0\.250% \| 2(\.0+)? MiB \| 40 \| 3\.0 \|$/);
  });
  it('writes results.md with notes and sweeps, results.json with every run, and the first-seed plot', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-seed-table-'));
    const sweeps = [
      {
        method: 'lora',
        metric: 'f1',
        trials: [
          { lr: 1e-4, metrics: { f1: 0.7 } },
          { lr: 3e-4, metrics: { f1: 0.8 } },
        ],
        chosen: 3e-4,
      },
    ];
    expect(sweepLines(sweeps)).toEqual(['lora: 1e-4 → 0.7000, 3e-4 → 0.8000; chosen 3e-4 (dev f1)']);
    const md = await writeSeedComparison(out, {
      task: 'MRPC',
      plotTitle: 'loss',
      runs: [run('lora', 1, 0.8), run('lora', 2, 0.82)],
      baseline,
      sweeps,
      notes: ['Budget: 1 epoch.'],
    });
    expect(await readFile(join(out, 'results.md'), 'utf8')).toBe(`${md}\n`);
    expect(md).toContain('Budget: 1 epoch.');
    expect(md).toContain('- lora: 1e-4 → 0.7000, 3e-4 → 0.8000; chosen 3e-4 (dev f1)');
    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(json.runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2]);
    expect(json.runs[0]).toMatchObject({ method: 'lora', lr: 3e-4, metrics: { f1: 0.8 }, stepMs: 40, loss: { steps: 3, first: 0.7, last: 0.5 } });
    expect(json.baseline.metrics.f1).toBe(0.8122);
    expect((await readFile(join(out, 'loss-curves.svg'), 'utf8')).startsWith('<svg')).toBe(true);
  });
});
