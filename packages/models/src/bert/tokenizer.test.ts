import { describe, it, expect } from 'vitest';
import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BertTokenizer } from './tokenizer';
import { SHARED_DIR } from '../testing/golden';

// Expected values were printed by transformers 5.18 (BertTokenizerFast.from_pretrained on a folder
// holding this vocab.txt, do_lower_case true) — see the package README.

const VOCAB_DIR = resolve(SHARED_DIR, 'data/bert_vocab/bert-base-uncased');
const hasVocab = existsSync(join(VOCAB_DIR, 'vocab.txt'));

describe.skipIf(!hasVocab)('BertTokenizer with the real bert-base-uncased vocab', () => {
  const load = async (o = {}) => BertTokenizer.fromVocab(await readFile(join(VOCAB_DIR, 'vocab.txt'), 'utf8'), o);

  it('"Hello, world!" → [101, 7592, 1010, 2088, 999, 102]', async () => {
    const t = await load();
    expect(t.encode('Hello, world!').inputIds).toEqual([101, 7592, 1010, 2088, 999, 102]);
    expect(t.vocabSize).toBe(30522);
    expect([t.padTokenId, t.unkTokenId, t.clsTokenId, t.sepTokenId, t.maskTokenId]).toEqual([0, 100, 101, 102, 103]);
  });

  it('word pieces, accents stripped by lower-casing, unknown words', async () => {
    const t = await load();
    expect(t.tokenize('Tokenization of pneumothorax')).toEqual(['token', '##ization', 'of', 'p', '##ne', '##um', '##otho', '##ra', '##x']);
    expect(t.tokenize('Café')).toEqual(['cafe']);
    expect(t.encode('☃').inputIds).toEqual([101, 100, 102]);
    // cased use of the uncased vocab: capitals are not found
    const cased = await load({ doLowerCase: false });
    expect(cased.tokenize('Hello')).toEqual(['[UNK]']);
  });

  it('pairs get token types 0/1; truncation strategies and padding follow transformers', async () => {
    const t = await load();
    const e = t.encode('is there a fracture?', 'no');
    expect(e.inputIds).toEqual([101, 2003, 2045, 1037, 19583, 1029, 102, 2053, 102]);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const lf = t.encode('one two three four five', 'six seven', { truncation: 'longest_first', maxLength: 8 });
    expect(lf.inputIds.length).toBe(8);
    expect(t.decode(lf.inputIds)).toBe('[CLS] one two three [SEP] six seven [SEP]');
    const os = t.encode('one two three four five', 'six seven', { truncation: 'only_second', maxLength: 9 });
    expect(t.decode(os.inputIds)).toBe('[CLS] one two three four five [SEP] six [SEP]');
    const b = t.encodeBatch(['yes', 'is the heart enlarged'], { padding: true });
    expect(b.inputIds).toEqual([
      [101, 2748, 102, 0, 0, 0],
      [101, 2003, 1996, 2540, 11792, 102],
    ]);
    expect(b.attentionMask).toEqual([
      [1, 1, 1, 0, 0, 0],
      [1, 1, 1, 1, 1, 1],
    ]);
    expect(t.encodeBatch(['yes'], { padding: 'max_length', maxLength: 5 }).inputIds).toEqual([[101, 2748, 102, 0, 0]]);
    expect(() => t.encode('a', 'b c d', { truncation: 'only_first', maxLength: 4 })).toThrow(/first sequence is too short/);
  });

  it("BLIP's added tokens [DEC] and [ENC] get ids 30522 and 30523 and are never split", async () => {
    const t = await load({ extraSpecialTokens: ['[DEC]', '[ENC]'] });
    expect(t.vocabSize).toBe(30524);
    expect([t.tokenToId('[DEC]'), t.tokenToId('[ENC]')]).toEqual([30522, 30523]);
    expect(t.encode('[DEC] yes', null, { addSpecialTokens: false }).inputIds).toEqual([30522, 2748]);
    expect(t.decode([30522, 2748, 102], { skipSpecialTokens: true })).toBe('yes');
  });

  it('fromPretrained reads vocab.txt + tokenizer_config.json from a folder; a folder without either is a clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-tok-'));
    await writeFile(join(dir, 'vocab.txt'), await readFile(join(VOCAB_DIR, 'vocab.txt')));
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, model_max_length: 512 }));
    const t = await BertTokenizer.fromPretrained(dir);
    expect(t.encode('Hello, world!').inputIds).toEqual([101, 7592, 1010, 2088, 999, 102]);
    await expect(BertTokenizer.fromPretrained(join(dir, 'missing'))).rejects.toThrow(/neither tokenizer\.json nor vocab\.txt found/);
  });
});
describe.skipIf(hasVocab)('BertTokenizer', () => it.skip(`../shared/data/bert_vocab not found beside the repository (${VOCAB_DIR}); tokenizer tests skipped`, () => undefined));
