import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './main';
import { generatedImage } from './images';

const SHARED = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared');
const IU = join(SHARED, 'data/iu_xray');

describe('generated stand-in images', () => {
  it('are deterministic per report id and differ between ids', () => {
    expect(generatedImage('CXR1_1_IM-0001')).toEqual(generatedImage('CXR1_1_IM-0001'));
    expect(generatedImage('CXR1_1_IM-0001').data).not.toEqual(generatedImage('CXR2_IM-0652').data);
    expect(generatedImage('x', 32)).toMatchObject({ width: 32, height: 32, channels: 1 });
  });
});

describe.skipIf(!existsSync(IU))('examples/report-generation end to end (real IU X-Ray reports, generated images)', () => {
  it('trains two methods, generates reports and scores them with BLEU, ROUGE-L and CIDEr-D', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-rg-'));
    const rows = await main([
      '--data',
      IU,
      '--methods',
      'full,lora',
      '--hidden',
      '32',
      '--layers',
      '1',
      '--text-init',
      '',
      '--max-steps',
      '2',
      '--batch-size',
      '4',
      '--train-limit',
      '8',
      '--test-limit',
      '4',
      '--beams',
      '1',
      '--max-tokens',
      '12',
      '--out',
      out,
    ]);
    expect(rows.map((r) => r.method)).toEqual(['full', 'lora']);
    for (const r of rows) {
      expect(r.losses).toHaveLength(2);
      r.bleu.forEach((b) => expect(b).toBeGreaterThanOrEqual(0));
      expect(r.rougeL).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(r.cider)).toBe(true);
    }
    expect(rows[1]!.trainablePercent).toBeLessThan(rows[0]!.trainablePercent);
    expect(await readFile(join(out, 'results.md'), 'utf8')).toMatch(/\| method \| trainable % \| peak tensor memory \| BLEU-1 \|/);
  });
});
describe.skipIf(existsSync(IU))('examples/report-generation end to end', () => it.skip(`../shared/data/iu_xray not found (${IU}); skipped`, () => undefined));
