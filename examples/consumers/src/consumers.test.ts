import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const PACKAGES = ['ops', 'core', 'models', 'adapters', 'datasets', 'metrics', 'train', 'native'];

const consumer = (
  esm: boolean,
) => `${esm ? "import * as tf from '@tensorflow/tfjs-core';\nimport { initBackend, manualSeed } from '@tfjs-peft/core';\nimport { BertForSequenceClassification } from '@tfjs-peft/models/bert';\nimport { applyPeft } from '@tfjs-peft/adapters';\nimport { Trainer } from '@tfjs-peft/train';\nimport { accuracy } from '@tfjs-peft/metrics';\nimport { Dataset } from '@tfjs-peft/datasets';" : "const tf = require('@tensorflow/tfjs-core');\nconst { initBackend, manualSeed } = require('@tfjs-peft/core');\nconst { BertForSequenceClassification } = require('@tfjs-peft/models/bert');\nconst { applyPeft } = require('@tfjs-peft/adapters');\nconst { Trainer } = require('@tfjs-peft/train');\nconst { accuracy } = require('@tfjs-peft/metrics');\nconst { Dataset } = require('@tfjs-peft/datasets');"}
(async () => {
  const info = await initBackend('wasm');
  manualSeed(0);
  const model = new BertForSequenceClassification({ model_type: 'bert', vocab_size: 50, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, num_labels: 2 });
  const peft = applyPeft(model, { method: 'lora', r: 2 });
  const batch = { inputIds: tf.tensor2d([[1, 5, 7, 2], [1, 9, 3, 2]], [2, 4], 'int32'), labels: tf.tensor1d([0, 1], 'int32') };
  const trainer = new Trainer({ model: peft, loss: (b) => peft.forward(b).loss, batches: () => Dataset.from([batch]), maxSteps: 2, learningRate: 0.01, progress: false });
  const r = await trainer.train();
  console.log(JSON.stringify({ losses: r.losses, accuracy: accuracy([0, 1], [0, 1]), native: info.native }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('packages as published: pack, install outside the workspace, train from ESM and CJS', () => {
  it('every package packs, installs from its tarball, and trains two steps in both module systems', async () => {
    for (const p of PACKAGES) {
      if (!existsSync(join(ROOT, 'packages', p, 'dist', 'index.js'))) throw new Error(`packages/${p}/dist is missing: build first (npm test does)`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-consumer-'));
    const tarballs: Record<string, string> = {};
    for (const p of PACKAGES) {
      execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: join(ROOT, 'packages', p), stdio: 'pipe' });
    }
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.tgz'))) {
      const name = f.replace(/^tfjs-peft-(.*)-\d+\.\d+\.\d+\.tgz$/, '@tfjs-peft/$1');
      tarballs[name] = `file:${join(dir, f)}`;
    }
    expect(Object.keys(tarballs).sort()).toEqual(PACKAGES.map((p) => `@tfjs-peft/${p}`).sort());
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'consumer',
          version: '1.0.0',
          private: true,
          dependencies: { ...tarballs, '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0' },
          overrides: tarballs,
        },
        null,
        2,
      ),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: app, stdio: 'pipe' });
    // the one install script: @tfjs-peft/native compiles its addon (and never fails the install)
    execFileSync('npm', ['rebuild', '@tfjs-peft/native', '--loglevel=error'], { cwd: app, stdio: 'pipe' });
    const required = process.env.TFJS_PEFT_REQUIRE_NATIVE === '1';
    await writeFile(join(app, 'esm.mjs'), consumer(true));
    await writeFile(join(app, 'cjs.cjs'), consumer(false));
    for (const f of ['esm.mjs', 'cjs.cjs']) {
      const out = execFileSync('node', [f], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const line = out
        .trim()
        .split('\n')
        .find((l) => l.startsWith('{'));
      const r = JSON.parse(line!) as { losses: number[]; accuracy: number; native: string | null };
      expect(r.losses, f).toHaveLength(2);
      expect(r.losses.every(Number.isFinite)).toBe(true);
      expect(r.accuracy).toBe(1);
      // built from the tarball's sources where a C++ toolchain exists (CI requires it); wasm's kernels otherwise
      if (required) expect(r.native, f).toMatch(/^(avx512|avx2|generic), \d+ threads?$/);
    }
  });
});
