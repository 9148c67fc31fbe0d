import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePolicy, SWEEP } from './policy';
import { main } from './main';

const SHARED = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared');
const RAD = join(SHARED, 'data/vqa_rad');

describe('MILE policies', () => {
  it('parses ViT / JTM / decoder cells; unnamed modules are frozen; bad cells are named', () => {
    expect(parsePolicy('vit=T,dec=lora')).toEqual({
      method: 'policy',
      modules: { vision_model: 'full', text_encoder: 'frozen', text_decoder: { method: 'lora', r: 8, loraAlpha: 32, loraDropout: 0.1 } },
    });
    expect(() => parsePolicy('vit=F,enc=T')).toThrow(/"enc" is not one of vit, jtm, dec/);
    expect(() => parsePolicy('dec=adalora')).toThrow(/"adalora" for dec is not one of F, T, lora, ia3, prefix, ptv2, ln, ffn, attn/);
    expect(SWEEP).toContain('vit=F,jtm=T,dec=ptv2');
    SWEEP.forEach((p) => expect(() => parsePolicy(p)).not.toThrow());
  });
});

describe.skipIf(!existsSync(RAD))('examples/med-vqa end to end (real VQA-RAD images, tiny model)', () => {
  it('trains under a policy, answers by beam search and prints the MILE rows', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-medvqa-'));
    const rows = await main([
      '--data',
      RAD,
      '--policy',
      'vit=F,jtm=T,dec=lora',
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
      '6',
      '--beams',
      '2',
      '--out',
      out,
    ]);
    const [r] = rows;
    expect(r!.losses).toHaveLength(2);
    expect(r!.trainablePercent).toBeGreaterThan(0);
    expect(r!.trainablePercent).toBeLessThan(100);
    for (const v of [r!.opened, r!.closed, r!.global]) expect(v).toBeGreaterThanOrEqual(0);
    expect(await readFile(join(out, 'results.md'), 'utf8')).toMatch(/\| F \/ T \/ lora \| [\d.]+ \|/);
  });
});
describe.skipIf(existsSync(RAD))('examples/med-vqa end to end', () => it.skip(`../shared/data/vqa_rad not found (${RAD}); skipped`, () => undefined));
