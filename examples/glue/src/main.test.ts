import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, manualSeed } from '@tfjs-peft/core';
import { BertForSequenceClassification } from '@tfjs-peft/models/bert';
import { main } from './main';

const SHARED = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared');
const ready = existsSync(join(SHARED, 'data/glue/RTE')) && existsSync(join(SHARED, 'data/bert_vocab/bert-base-uncased/vocab.txt'));

describe.skipIf(!ready)('examples/glue end to end (tiny random BERT, real RTE files)', () => {
  it('trains three methods, evaluates on dev and writes the table and the loss plot', async () => {
    await initBackend('wasm');
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
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-glue-out-'));
    const rows = await main([
      '--task',
      'RTE',
      '--data',
      join(SHARED, 'data/glue'),
      '--model',
      model,
      '--method',
      'full,ln-tuning,lora',
      '--max-steps',
      '6',
      '--batch-size',
      '4',
      '--train-limit',
      '48',
      '--max-length',
      '64',
      '--eval-every',
      '3',
      '--backend',
      'wasm',
      '--out',
      out,
    ]);
    expect(rows.map((r) => r.method)).toEqual(['full', 'ln-tuning', 'lora']);
    for (const r of rows) {
      expect(r.losses).toHaveLength(6);
      expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.metrics.accuracy).toBeLessThanOrEqual(1);
    }
    expect(rows[1]!.trainablePercent).toBeLessThan(rows[0]!.trainablePercent);
    expect(await readFile(join(out, 'results.md'), 'utf8')).toMatch(/\| method \| RTE dev accuracy \| trainable % \|/);
    const svg = await readFile(join(out, 'loss-curves.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/ln-tuning/);
    const log = (await readFile(join(out, 'lora', 'log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.filter((l) => l.eval).map((l) => l.step)).toEqual([3, 6]);
  });
});
describe.skipIf(ready)('examples/glue end to end', () => it.skip(`../shared/data (glue, bert_vocab) not found (${SHARED}); skipped`, () => undefined));
