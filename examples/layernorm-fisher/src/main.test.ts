import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';
import { sharedGlueDir } from './embedded';

const glue = sharedGlueDir();
const ready = !!glue && existsSync(join(glue, 'RTE'));

describe.skipIf(!ready)('examples/layernorm-fisher end to end (embedded checkpoint, real RTE files)', () => {
  it('ranks components, computes the Fisher, tunes masked subsets and writes tables and plots', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-lnf-'));
    const r = await main([
      '--task',
      'RTE',
      '--max-steps',
      '3',
      '--batch-size',
      '4',
      '--train-limit',
      '24',
      '--max-length',
      '48',
      '--fractions',
      '1,0.1',
      '--folds',
      '2',
      '--fisher-examples',
      '16',
      '--out',
      out,
      '--no-progress',
    ]);
    // every encoder component and the head appear once in the ranking, sorted by relative change
    expect(r.ranking.map((g) => g.component)).toEqual(expect.arrayContaining(['output.LayerNorm', 'attention.output.LayerNorm', 'attention.query', 'embeddings']));
    for (let i = 1; i < r.ranking.length; i++) expect(r.ranking[i - 1]!.relative).toBeGreaterThanOrEqual(r.ranking[i]!.relative);
    // 2 layers × 2 LayerNorms + embeddings, hidden 128, γ and β
    const total = 5 * 2 * 128;
    expect(r.rows.map((x) => [x.label, x.selected, x.total])).toEqual([
      ['Fisher top 100%', total, total],
      ['Fisher top 10%', Math.round(0.1 * total), total],
      [expect.stringMatching(/^union of 2 fold masks at 10%$/), expect.any(Number), total],
      ['random 10%', Math.round(0.1 * total), total],
    ]);
    expect(r.rows[2]!.selected).toBeGreaterThanOrEqual(Math.round(0.1 * total));
    // trainable % counts the selected elements (and the head), not the frozen rest of each LayerNorm copy
    expect(r.rows[1]!.effectiveTrainablePercent).toBeLessThan(r.rows[0]!.effectiveTrainablePercent);
    expect(r.rows[0]!.effectiveTrainablePercent).toBeCloseTo(r.rows[0]!.run.trainablePercent, 10);
    const md = await readFile(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/\| 1 \| \S+ \| /);
    expect(md).toMatch(/\| Fisher top 10% \| 128 \/ 1280 \|/);
    for (const f of ['component-change', 'layer-component-change', 'layernorm-change-heatmap', 'fisher-heatmap', 'fraction-curve']) {
      expect((await readFile(join(out, `${f}.svg`), 'utf8')).startsWith('<svg')).toBe(true);
      expect((await readFile(join(out, `${f}.png`))).subarray(1, 4).toString()).toBe('PNG');
    }
  });
});
describe.skipIf(ready)('examples/layernorm-fisher end to end', () => it.skip('../shared/data/glue not found beside the repository; skipped', () => undefined));
