import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, manualSeed } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { main } from './main';

const SHARED = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared');
const ready = existsSync(join(SHARED, 'data/glue/MRPC')) && existsSync(join(SHARED, 'data/bert_vocab/bert-base-uncased/vocab.txt'));

/** A tiny random BERT (1 layer × 32) with the real bert-base-uncased vocabulary. */
async function tinyModel(): Promise<string> {
  const model = await mkdtemp(join(tmpdir(), 'tfjs-peft-glue-model-'));
  manualSeed(0);
  const m = new BertForSequenceClassification({
    model_type: 'bert',
    vocab_size: 30522,
    hidden_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 64,
    max_position_embeddings: 512,
    num_labels: 2,
  });
  await m.savePretrained(model);
  m.dispose();
  await copyFile(join(SHARED, 'data/bert_vocab/bert-base-uncased/vocab.txt'), join(model, 'vocab.txt'));
  return model;
}

describe.skipIf(!ready)('examples/glue end to end (tiny random BERT, real MRPC files)', () => {
  let model = '';
  beforeAll(async () => {
    await initBackend('wasm');
    model = await tinyModel();
  });
  const base = (out: string) => ['--task', 'MRPC', '--data', join(SHARED, 'data/glue'), '--model', model, '--max-length', '64', '--backend', 'wasm', '--no-progress', '--out', out];

  it('runs every method once per seed for full epochs and writes the mean ± std table with the baseline row', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-glue-out-'));
    const { runs } = await main([...base(out), '--method', 'full,ln-tuning', '--train-limit', '64', '--epochs', '1', '--seeds', '1,2', '--batch-size', '16', '--eval-every', '2']);
    expect(runs.map((r) => `${r.method}/${r.seed}`)).toEqual(['full/1', 'full/2', 'ln-tuning/1', 'ln-tuning/2']);
    for (const r of runs) expect(r.losses).toHaveLength(4); // ceil(64 / 16) × 1 epoch
    const md = await readFile(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/^\| method \| lr \| MRPC dev accuracy \(mean ± std, n = 2\) \| MRPC dev f1 \(mean ± std, n = 2\) \| trainable % \|/);
    // MRPC's majority class is "paraphrase": always-positive F1 on dev is 0.8122 (accuracy 0.6838)
    expect(md).toMatch(/\| baseline: majority class \| – \| 0\.6838 \| 0\.8122 \|/);
    expect(md).toMatch(/\| full \| \S+ \| \d\.\d{4} ± \d\.\d{4} \| \d\.\d{4} ± \d\.\d{4} \|/);
    expect(md).toMatch(/\| ln-tuning \| /);
    expect(md).toMatch(/1 epoch = 4 steps \(ceil\(64 \/ 16\) × 1\), batch 16, max length 64; seeds 1, 2 \(n = 2/);
    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(json.runs).toHaveLength(4);
    expect(json.runs.filter((r: { method: string }) => r.method === 'full')).toHaveLength(2);
    for (const r of json.runs) {
      expect(r.loss.steps).toBe(4);
      expect(r.metrics.f1).toBeGreaterThanOrEqual(0);
      expect(typeof r.lr).toBe('number');
    }
    expect(json.settings.steps).toBe(4);
    expect(json.baseline.prediction).toBe(1);
    const svg = await readFile(join(out, 'loss-curves.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/ln-tuning/);
    const log = (await readFile(join(out, 'seed-2', 'full', 'log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.filter((l) => l.eval).map((l) => l.step)).toEqual([2, 4]);
  });

  it('--lr-grid trains each rate on the first seed, keeps the best by dev F1 and runs every seed with it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-glue-out-'));
    const { runs, sweeps } = await main([
      ...base(out),
      '--method',
      'full',
      '--train-limit',
      '32',
      '--max-steps',
      '3',
      '--seeds',
      '5,6',
      '--batch-size',
      '16',
      '--lr-grid',
      '1e-5,3e-2',
    ]);
    expect(sweeps).toHaveLength(1);
    const s = sweeps[0]!;
    expect(s.metric).toBe('f1');
    expect(s.trials.map((t) => t.lr)).toEqual([1e-5, 3e-2]);
    const best = s.trials.reduce((b, t) => (t.metrics.f1! > b.metrics.f1! ? t : b));
    expect(s.chosen).toBe(best.lr);
    expect(runs.map((r) => [r.seed, r.lr])).toEqual([
      [5, s.chosen],
      [6, s.chosen],
    ]);
    expect(runs[0]!.metrics).toEqual(best.metrics); // the sweep's run at the chosen rate is seed 5's run
    const md = await readFile(join(out, 'results.md'), 'utf8');
    expect(md).toContain('chosen on dev');
    expect(md).toMatch(/- full: 1e-5 → \d\.\d{4}, 3e-2 → \d\.\d{4}; chosen \de-\d \(dev f1\)/);
    expect(md).toContain('3 steps (--max-steps)');
  });
});
describe.skipIf(ready)('examples/glue end to end', () => it.skip(`../shared/data (glue, bert_vocab) not found (${SHARED}); skipped`, () => undefined));
