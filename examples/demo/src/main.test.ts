import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, EMBEDDED_DATA } from './main';

describe('the main job (embedded checkpoint and data, no download)', () => {
  it('fine-tunes with two methods, evaluates on the embedded dev split and writes the table and the plot', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-demo-'));
    // a 100-example dev file from the embedded one keeps the test short
    const dev = join(out, 'dev.tsv');
    await writeFile(dev, (await readFile(join(EMBEDDED_DATA, 'dev.tsv'), 'utf8')).split('\n').slice(0, 101).join('\n') + '\n');
    const rows = await main(['--methods', 'full,ln-tuning', '--max-steps', '4', '--batch-size', '4', '--train-limit', '32', '--max-length', '48', '--dev', dev, '--out', out]);
    expect(rows.map((r) => r.method)).toEqual(['full', 'ln-tuning']);
    for (const r of rows) {
      expect(r.losses).toHaveLength(4);
      expect(r.losses.every(Number.isFinite)).toBe(true);
      expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.metrics.accuracy).toBeLessThanOrEqual(1);
      expect(r.metrics.f1).toBeGreaterThanOrEqual(0);
    }
    expect(rows[1]!.trainablePercent).toBeLessThan(0.1);
    expect(await readFile(join(out, 'results.md'), 'utf8')).toMatch(/\| method \| SpamAssassin dev accuracy \| SpamAssassin dev f1 \| trainable % \|/);
    expect((await readFile(join(out, 'loss-curves.svg'), 'utf8')).startsWith('<svg')).toBe(true);
  });

  it("takes a user's TSV and names a bad row", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-demo-user-'));
    await writeFile(join(dir, 'train.tsv'), 'text\tlabel\ngreat film\tpos\nawful\tneg\n');
    await writeFile(join(dir, 'dev.tsv'), 'text\tlabel\nfine\tmaybe\n');
    await expect(main(['--train', join(dir, 'train.tsv'), '--dev', join(dir, 'dev.tsv'), '--methods', 'lora', '--max-steps', '1'])).rejects.toThrow(
      /dev\.tsv:2: column "label": label "maybe" is not one of neg, pos/,
    );
    await expect(main(['--methods', 'nope'])).rejects.toThrow(/--methods: nope is not one of full, ln-tuning, lora/);
  });
});
