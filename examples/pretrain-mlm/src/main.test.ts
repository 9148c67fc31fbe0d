import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BertForMaskedLM } from '@tfjs-peft/models/bert';
import { main } from './main';

const SHARED = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared');
const VOCAB = join(SHARED, 'data/bert_vocab/bert-base-uncased');

describe.skipIf(!existsSync(VOCAB))('examples/pretrain-mlm end to end', () => {
  it('pretrains a tiny BERT on a text file, lowers the held-out MLM loss, and saves a loadable fp16 checkpoint with a model card', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-mlm-'));
    const corpus = join(dir, 'corpus.txt');
    const sentences = ['the chest x-ray shows no acute disease .', 'the heart size is normal .', 'there is no pneumothorax or effusion .', 'the lungs are clear .'];
    await writeFile(corpus, Array.from({ length: 400 }, (_, i) => sentences[i % 4]).join('\n'));
    const r = await main([
      '--vocab',
      VOCAB,
      '--corpus',
      corpus,
      '--layers',
      '1',
      '--hidden',
      '32',
      '--heads',
      '2',
      '--ffn',
      '64',
      '--steps',
      '40',
      '--batch',
      '16',
      '--lr',
      '3e-3',
      '--eval-every',
      '20',
      '--fp16',
      '--out',
      join(dir, 'run'),
    ]);
    const log = (await readFile(join(dir, 'run', 'log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const evals = log.filter((l) => l.eval).map((l) => l.eval.mlm_loss as number);
    expect(evals).toHaveLength(2);
    expect(r.heldOutLoss).toBeLessThan(Math.log(30522) - 2); // far below the uniform guess on this repetitive text
    const card = await readFile(join(r.out, 'README.md'), 'utf8');
    expect(card).toMatch(/held-out masked-LM loss: \d+\.\d+ before, \d+\.\d+ after/);
    const loaded = await BertForMaskedLM.fromPretrained(r.out);
    expect(loaded.bert.embeddings.word_embeddings.weight.shape).toEqual([30522, 32]);
    loaded.dispose();
  });
});
describe.skipIf(existsSync(VOCAB))('examples/pretrain-mlm end to end', () => it.skip(`../shared/data/bert_vocab not found (${VOCAB}); skipped`, () => undefined));
