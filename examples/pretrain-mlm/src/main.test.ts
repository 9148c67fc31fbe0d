import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BertForMaskedLM } from '@tfjs-peft/models/bert';
import { main } from './main';
import { compactCheckpoint } from './compact-checkpoint';

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

  it('--pack: a run cut by --time-limit resumes from its checkpoint to the weights of the uninterrupted run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-mlm-pack-'));
    const corpus = join(dir, 'corpus.txt');
    const words = ['the', 'heart', 'size', 'is', 'normal', 'lungs', 'are', 'clear', 'no', 'effusion'];
    await writeFile(corpus, Array.from({ length: 300 }, (_, i) => words.slice(0, 2 + (i % 8)).join(' ')).join('\n'));
    const common = ['--vocab', VOCAB, '--corpus', corpus, '--pack', '--layers', '1', '--hidden', '16', '--heads', '2', '--ffn', '32', '--seq', '16'];
    const run = (out: string, extra: string[]) => main([...common, '--batch', '8', '--steps', '30', '--eval-every', '1000', '--out', join(dir, out), ...extra]);
    await run('full', []);
    const cut = await run('cut', ['--time-limit', '0.00001']); // stops after the first step
    expect(cut.steps).toBeLessThan(30);
    // the 16-bit copy (for a repository) resumes too, from the rounded state
    await compactCheckpoint(join(dir, 'cut', `checkpoint-${cut.steps}`), join(dir, 'c16'));
    expect((await stat(join(dir, 'c16', 'optimizer.safetensors'))).size).toBeLessThan(
      (await stat(join(dir, 'cut', `checkpoint-${cut.steps}`, 'optimizer.safetensors'))).size * 0.6,
    );
    const from16 = await run('from16', ['--resume', join(dir, 'c16')]);
    expect(from16.steps).toBe(30);
    const resumed = await run('cut', ['--resume', join(dir, 'cut', `checkpoint-${cut.steps}`)]);
    expect(Math.abs(from16.heldOutLoss - resumed.heldOutLoss)).toBeLessThan(0.05);
    expect(resumed.steps).toBe(30);
    const a = await BertForMaskedLM.fromPretrained(join(dir, 'full', 'checkpoint'));
    const b = await BertForMaskedLM.fromPretrained(join(dir, 'cut', 'checkpoint'));
    const [x, y] = [a, b].map((m) => m.bert.encoder.layer[0]!.attention.self.query.weight.value.dataSync());
    expect(Array.from(y!)).toEqual(Array.from(x!));
    // 30 steps of 8 blocks of 16 tokens: the model card counts packed tokens
    expect(await readFile(join(dir, 'cut', 'checkpoint', 'README.md'), 'utf8')).toMatch(/30 steps × batch 8 × ≤16 tokens \(3,840 tokens, packed\)/);
    a.dispose();
    b.dispose();
  });
});
describe.skipIf(existsSync(VOCAB))('examples/pretrain-mlm end to end', () => it.skip(`../shared/data/bert_vocab not found (${VOCAB}); skipped`, () => undefined));
