import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '@tfjs-peft/example-shared/testing';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../../../packages/core/dist/index.js', import.meta.url)));

// Spawned against the packages' dist, as `pnpm bench:decoder` runs; no timing is asserted.
describe.skipIf(!BUILT)('pnpm bench:decoder', () => {
  it('runs the tiny decoder for one LoRA step and prints its row with a finite loss near ln(vocab)', () => {
    const r = runScript(DIR, 'src/decoder.ts', ['--', '--shapes', 'llama-tiny', '--steps', '1', '--batch', '2', '--seq', '16', '--torch', 'off', '--backend', 'cpu']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('live PyTorch: not run');
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| shape'));
    expect(rows).toHaveLength(1);
    const cells = rows[0]!.split('|').map((c) => c.trim());
    expect(cells[1]).toBe('llama-tiny');
    expect(cells[2]).toBe('2/64/4/2/128/512 tied');
    // LoRA r 8 on q_proj (64→64) and v_proj (64→32) in 2 layers: 2 · 8 · ((64 + 64) + (64 + 32))
    expect(cells[3]).toMatch(/^3,584 \(/);
    const loss = Number(cells[6]);
    expect(Number.isFinite(loss)).toBe(true);
    // random init, near-uniform predictions over 512 tokens
    expect(Math.abs(loss - Math.log(512))).toBeLessThan(0.5);
    expect(Number(cells[7])).toBeGreaterThan(0);
    expect(cells.slice(12, 17)).toEqual(['–', '–', '–', '–', '–']);
  }, 120_000);

  it('names an unknown shape', () => {
    const r = runScript(DIR, 'src/decoder.ts', ['--shapes', 'gpt-5', '--torch', 'off']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('decoder shape gpt-5 is not one of llama-tiny, smollm2-135m, smollm2-360m, tinyllama-1.1b');
  });
});
