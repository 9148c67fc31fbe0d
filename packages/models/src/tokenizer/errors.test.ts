import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TfjsPeftError } from '@tfjs-peft/core';
import { ConfigError } from '../common/config';
import { AutoTokenizer, TokenizerConfigError, TokenizerInputError } from './index';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const json = async (name: string, file: string) => JSON.parse(await readFile(join(FIXTURES, name, file), 'utf8')) as Record<string, unknown>;
const tempDir = () => mkdtemp(join(tmpdir(), 'tfjs-peft-tok-'));

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('AutoTokenizer: bad files and fields', () => {
  it('a folder without tokenizer.json names the file and the folder', async () => {
    const dir = await tempDir();
    const err = (await AutoTokenizer.fromPretrained(dir).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TokenizerConfigError);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(TfjsPeftError);
    expect((err as TokenizerConfigError).code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('tokenizer.json');
    expect(err.message).toContain(dir);
  });

  it('a tokenizer.json that is not JSON names the file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'tokenizer.json'), '{"model": ');
    const err = (await AutoTokenizer.fromPretrained(dir).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TokenizerConfigError);
    expect(err.message).toMatch(/tokenizer\.json: not valid JSON/);
  });

  it('a tokenizer_config.json that is not JSON names that file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(await json('wordpiece', 'tokenizer.json')));
    await writeFile(join(dir, 'tokenizer_config.json'), '[1, 2');
    await expect(AutoTokenizer.fromPretrained(dir)).rejects.toThrow(/tokenizer_config\.json: not valid JSON/);
  });

  it('loads a folder with only tokenizer.json, and files named one by one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(await json('wordpiece', 'tokenizer.json')));
    const t = await AutoTokenizer.fromPretrained(dir);
    expect(t.encode('yes')).toEqual([2, 51, 195, 3]);
    expect(t.modelMaxLength).toBe(1e30);
    expect(t.padToken).toBeNull();
    const named = await AutoTokenizer.fromPretrained({
      tokenizerJson: join(FIXTURES, 'unigram', 'tokenizer.json'),
      tokenizerConfig: join(FIXTURES, 'unigram', 'tokenizer_config.json'),
    });
    expect(named.paddingSide).toBe('left');
    expect(named.padTokenId).toBe(0);
  });

  it('malformed fields are named', async () => {
    const tj = await json('wordpiece', 'tokenizer.json');
    const cases: [Parameters<typeof AutoTokenizer.fromJSON>[0], RegExp][] = [
      [{ tokenizerJson: { ...tj, model: 'WordPiece' } }, /tokenizer\.json: "model" expected an object/],
      [{ tokenizerJson: { ...tj, model: { vocab: {} } } }, /"model\.type" expected a string/],
      [{ tokenizerJson: { ...tj, added_tokens: [{ id: -1, content: 'x' }] } }, /"added_tokens\[0\]" expected/],
      [{ tokenizerJson: { ...tj, added_tokens: {} } }, /"added_tokens" expected an array/],
      [{ tokenizerJson: { ...tj, post_processor: { type: 'Nope' } } }, /"post_processor\.type" expected one of/],
      [{ tokenizerJson: { ...tj, post_processor: { type: 'BertProcessing', sep: '[SEP]', cls: ['[CLS]', 2] } } }, /"post_processor\.sep" expected \[token, id\]/],
      [{ tokenizerJson: { ...tj, pre_tokenizer: { type: 'NoSuchPreTokenizer' } } }, /tokenizer\.json: @huggingface\/tokenizers cannot build this tokenizer .*NoSuchPreTokenizer/],
      [{ tokenizerJson: tj, tokenizerConfig: { model_max_length: 'long' } }, /tokenizer_config\.json: "model_max_length" expected a positive number, got "long"/],
      [{ tokenizerJson: tj, tokenizerConfig: { padding_side: 'top' } }, /"padding_side" expected "left" or "right", got "top"/],
      [{ tokenizerJson: tj, tokenizerConfig: { truncation_side: 1 } }, /"truncation_side" expected "left" or "right"/],
      [{ tokenizerJson: tj, tokenizerConfig: { bos_token: 5 } }, /"bos_token" expected a string, an AddedToken object/],
      [{ tokenizerJson: tj, tokenizerConfig: { chat_template: 5 } }, /"chat_template" expected a template string/],
      [{ tokenizerJson: tj, tokenizerConfig: { chat_template: [{ name: 'default' }] } }, /"chat_template\[0\]" expected \{ name: string, template: string \}/],
      [{ tokenizerJson: tj, tokenizerConfig: { clean_up_tokenization_spaces: 'yes' } }, /"clean_up_tokenization_spaces" expected a boolean/],
      [{ tokenizerJson: tj, tokenizerConfig: { add_bos_token: 'true' } }, /"add_bos_token" expected a boolean/],
      [{ tokenizerJson: tj, specialTokensMap: { pad_token: ['x'] } }, /special_tokens_map\.json: "pad_token" expected/],
      [{ tokenizerJson: tj, tokenizerConfig: '{oops' }, /tokenizer_config\.json: not valid JSON/],
      [{ tokenizerJson: [] as never }, /tokenizer\.json: expected a JSON object, got an array/],
      [{} as never, /"tokenizerJson" .* is required/],
    ];
    for (const [src, msg] of cases) {
      const err = thrown(() => AutoTokenizer.fromJSON(src));
      expect(err, String(msg)).toBeInstanceOf(TokenizerConfigError);
      expect(err.message).toMatch(msg);
    }
  });
});

describe('PreTrainedTokenizer: calls that cannot be done', () => {
  it('padding without a pad token throws; setting padToken = eosToken then pads with it', async () => {
    const t = await AutoTokenizer.fromPretrained(join(FIXTURES, 'gpt2-bpe'));
    const err = thrown(() => t.encodeBatch(['yes', 'Hello, world!'], { padding: true }));
    expect(err).toBeInstanceOf(TokenizerInputError);
    expect((err as TokenizerInputError).code).toBe('TOKENIZER_INPUT');
    expect(err.message).toMatch(/does not have a padding token/);
    t.padToken = t.eosToken;
    // transformers 5.18: tok.pad_token = tok.eos_token; tok(["yes", "Hello, world!"], padding=True[, pad_to_multiple_of=4])
    expect(t.encodeBatch(['yes', 'Hello, world!'], { padding: true }).inputIds).toEqual([
      [89, 269, 0, 0, 0, 0, 0, 0, 0],
      [40, 363, 368, 12, 263, 297, 76, 68, 1],
    ]);
    const m = t.encodeBatch(['yes', 'Hello, world!'], { padding: true, padToMultipleOf: 4 });
    expect(m.inputIds).toEqual([
      [89, 269, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [40, 363, 368, 12, 263, 297, 76, 68, 1, 0, 0, 0],
    ]);
    expect(m.attentionMask[0]).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('non-string texts and non-integer ids are rejected; decode([]) is empty', async () => {
    const t = await AutoTokenizer.fromPretrained(join(FIXTURES, 'wordpiece'));
    expect(() => t.encode(3 as never)).toThrow(TokenizerInputError);
    expect(() => t.encodeBatch([['a'] as never])).toThrow(/inputs\[0\]/);
    expect(() => t.decode([1.5])).toThrow(TokenizerInputError);
    expect(t.decode([])).toBe('');
  });

  it('only_second on single texts throws a truncation error', async () => {
    const t = await AutoTokenizer.fromPretrained(join(FIXTURES, 'wordpiece'));
    expect(() => t.encodeBatch(['Hello, world!'], { truncation: 'only_second', maxLength: 4 })).toThrow(/Second sequence not provided/);
  });

  it('no chat template, an empty chat, a bad message, several templates without a default', async () => {
    const none = await AutoTokenizer.fromPretrained(join(FIXTURES, 'gpt2-bpe'));
    const e1 = thrown(() => none.applyChatTemplate([{ role: 'user', content: 'hi' }]));
    expect(e1).toBeInstanceOf(TokenizerInputError);
    expect(e1.message).toMatch(/has no chat template/);
    // a template passed in the call is used
    expect(none.applyChatTemplate([{ role: 'user', content: 'hi' }], { chatTemplate: '{{ messages[0].content }}!', tokenize: false })).toBe('hi!');
    const t = await AutoTokenizer.fromPretrained(join(FIXTURES, 'qwen2-bpe'));
    expect(() => t.applyChatTemplate([])).toThrow(/empty conversation/);
    expect(() => t.applyChatTemplate([{ content: 'x' } as never])).toThrow(/messages\[0\]/);
    expect(() => t.applyChatTemplate([{ role: 'user', content: 'x' }], { chatTemplate: '{% if %}' })).toThrow(/does not parse/);
    const tj = await json('unigram', 'tokenizer.json');
    const multi = AutoTokenizer.fromJSON({
      tokenizerJson: tj,
      tokenizerConfig: {
        chat_template: [
          { name: 'a', template: 'A' },
          { name: 'b', template: 'B' },
        ],
      },
    });
    expect(() => multi.applyChatTemplate([{ role: 'user', content: 'x' }])).toThrow(/\["a","b"\]/);
    expect(multi.applyChatTemplate([{ role: 'user', content: 'x' }], { chatTemplate: 'b', tokenize: false })).toBe('B');
  });
});

describe('PreTrainedTokenizer: transformers details', () => {
  it('longest_first on pairs follows the Rust crate, which measures each text up to the first word boundary past max_length', async () => {
    // transformers 5.18 / tokenizers 0.23.2 on this fixture: tok(a, b, truncation=True, max_length=m)
    // ("1111" is four one-token words; "xxxx" one word of four tokens)
    const t = await AutoTokenizer.fromPretrained(join(FIXTURES, 'qwen2-bpe'));
    const run = (a: string, b: string, m: number) => t.encodeBatch([[a, b]], { truncation: true, maxLength: m }).inputIds[0];
    expect(run('1111', '222', 3)).toEqual([19, 20, 20]);
    expect(run('1111', '222', 5)).toEqual([19, 19, 19, 20, 20]);
    expect(run('xxxx', 'yyy', 3)).toEqual([90, 90, 91]);
    expect(run('xxxx', 'yyy', 5)).toEqual([90, 90, 90, 91, 91]);
    expect(run('1 2 3 4 5 6', 'abc def', 3)).toEqual([24, 284, 72]);
    expect(run('1 2 3 4 5 6', 'abc def', 5)).toEqual([223, 24, 223, 284, 72]);
  });

  it('token type ids for pairs come from the post-processor (returned when asked or listed in model_input_names)', async () => {
    const t = await AutoTokenizer.fromPretrained(join(FIXTURES, 'wordpiece'));
    // transformers 5.18: tok("is there", "no", return_token_type_ids=True)
    const e = t.encodeBatch([['is there', 'no']], { returnTokenTypeIds: true });
    expect(e.inputIds[0]).toEqual([2, 273, 302, 3, 221, 3]);
    expect(e.tokenTypeIds?.[0]).toEqual([0, 0, 0, 0, 1, 1]);
    const b = t.encodeBatch(['yes', 'Hello, world!'], { padding: true, returnTokenTypeIds: true });
    expect(b.tokenTypeIds).toEqual([Array(10).fill(0), Array(10).fill(0)]);
    expect(t.numSpecialTokensToAdd()).toBe(2);
    expect(t.numSpecialTokensToAdd(true)).toBe(3);
  });

  it('add_bos_token in tokenizer_config is ignored with a tokenizer.json (transformers 5), honoured with useConfigAddBosEos', async () => {
    const tj = { ...(await json('sentencepiece-bpe', 'tokenizer.json')), post_processor: null };
    const cfg = { ...(await json('sentencepiece-bpe', 'tokenizer_config.json')), add_bos_token: true, add_eos_token: false };
    // transformers 5.18 on this tokenizer.json with post_processor null: encode("hi") == [320, 437]
    const v5 = AutoTokenizer.fromJSON({ tokenizerJson: tj, tokenizerConfig: cfg });
    expect(v5.encode('hi')).toEqual([320, 437]);
    expect(v5.addBosToken).toBe(true);
    const v4 = AutoTokenizer.fromJSON({ tokenizerJson: tj, tokenizerConfig: cfg }, { useConfigAddBosEos: true });
    expect(v4.encode('hi')).toEqual([1, 320, 437]);
    expect(v4.encode('a', { textPair: 'b' })).toEqual([1, ...v4.encode('a', { addSpecialTokens: false }), 1, ...v4.encode('b', { addSpecialTokens: false })]);
    const both = AutoTokenizer.fromJSON({ tokenizerJson: tj, tokenizerConfig: { ...cfg, add_eos_token: true } }, { useConfigAddBosEos: true });
    expect(both.encode('hi')).toEqual([1, 320, 437, 2]);
  });

  it('a special token of tokenizer_config missing from tokenizer.json is added with the next id', async () => {
    const tj = await json('gpt2-bpe', 'tokenizer.json');
    const t = AutoTokenizer.fromJSON({ tokenizerJson: tj, tokenizerConfig: { pad_token: '<pad>' } });
    expect(t.padTokenId).toBe(380);
    expect(t.length).toBe(381);
    expect(t.vocabSize).toBe(380);
    expect(t.encode('a<pad>')).toEqual([...t.encode('a'), 380]);
    expect(t.decode([380, ...t.encode('a')], { skipSpecialTokens: true })).toBe('a');
  });
});
