import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReadmes, readmeFiles, tsBlocks } from '../../../scripts/check-readme-ts.mjs';

// Every ```ts block of every README (root, packages/*, examples/*) type-checks with tsc --strict
// against the workspace sources, as pasted into a user's file; ```ts skip-check marks a fragment.
describe('README TypeScript blocks', () => {
  it('finds the blocks and their skip-check marker', () => {
    const md = ['# x', '```ts', 'const a = 1;', '```', '', '```ts skip-check', 'new Trainer({ /* … */ });', '```', '```sh', 'ls', '```'].join('\n');
    expect(tsBlocks(md)).toEqual([
      { line: 2, code: 'const a = 1;', skip: false },
      { line: 6, code: 'new Trainer({ /* … */ });', skip: true },
    ]);
    expect(readmeFiles().some((f) => f.endsWith(join('packages', 'train', 'README.md')))).toBe(true);
  });

  it('a block with a type error fails, named by README line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-ts-case-'));
    const file = join(dir, 'README.md');
    writeFileSync(file, ['# t', '', '```ts', "import * as tf from '@tensorflow/tfjs-core';", 'const s: tf.Scalar = tf.zeros([2]) as tf.Tensor | undefined;', '```', ''].join('\n'));
    const r = checkReadmes({ files: [file] });
    expect(r.checked).toBe(1);
    expect(r.errors).toMatch(/README\.md:5:\d+ error TS2322/);
  }, 120_000);

  it('every README block type-checks (tsc --strict)', () => {
    const r = checkReadmes();
    expect(r.errors).toBe('');
    expect(r.checked).toBeGreaterThanOrEqual(20);
  }, 300_000);
});
