import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, PreTrainedTokenizer, TokenizerInputError } from './index';
import type { BatchOptions } from './auto-tokenizer';
import type { ChatMessage } from './chat-template';

// Every expected value below was recorded from transformers 5.18's fast tokenizer by
// scripts/make_fixtures.py (fixtures/<name>/expected.json); the tests compare value by value.

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const NAMES = ['wordpiece', 'gpt2-bpe', 'llama3-bpe', 'qwen2-bpe', 'sentencepiece-bpe', 'unigram'] as const;

type PyOptions = {
  padding?: boolean | string;
  padding_side?: 'left' | 'right';
  max_length?: number;
  truncation?: boolean | string;
  truncation_side?: 'left' | 'right';
  add_special_tokens?: boolean;
};
interface BatchCase {
  options: PyOptions;
  texts?: string[];
  pairs?: [string, string][];
  input_ids?: number[][];
  attention_mask?: number[][];
  error?: string;
}
interface Expected {
  vocab_size: number;
  len: number;
  model_max_length: number;
  padding_side: 'left' | 'right';
  truncation_side: 'left' | 'right';
  specials: Record<string, string | number | null>;
  all_special_ids: number[];
  encode: { text: string; ids: number[]; ids_plain: number[]; tokens: string[] }[];
  decode: { ids: number[]; text: string; text_skip: string }[];
  pairs: { a: string; b: string; input_ids: number[]; attention_mask: number[] }[];
  convert_tokens_to_ids: { tokens: string[]; ids: (number | null)[] };
  batch: BatchCase[];
  pair_batch: BatchCase[];
  chat: { messages: ChatMessage[]; add_generation_prompt: boolean; text: string; ids: number[] }[];
  chat_named?: { name: string; messages: ChatMessage[]; text: string };
  chat_error?: { messages: ChatMessage[]; message: string } | null;
}

const expected = (name: string): Expected => JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;

function toOptions(o: PyOptions): BatchOptions {
  return {
    padding: o.padding as BatchOptions['padding'],
    truncation: o.truncation as BatchOptions['truncation'],
    maxLength: o.max_length,
    paddingSide: o.padding_side,
    truncationSide: o.truncation_side,
    addSpecialTokens: o.add_special_tokens,
  };
}

const TRANSFORMERS_PAD_ERROR = 'Asking to pad but the tokenizer does not have a padding token';

describe.each(NAMES)('AutoTokenizer on the %s fixture', (name) => {
  const exp = expected(name);
  const load = () => AutoTokenizer.fromPretrained(join(FIXTURES, name));

  it('loads with the sizes, sides, max length and special tokens transformers reports', async () => {
    const t = await load();
    expect(t).toBeInstanceOf(PreTrainedTokenizer);
    expect(t.vocabSize).toBe(exp.vocab_size);
    expect(t.length).toBe(exp.len);
    expect(t.modelMaxLength).toBe(exp.model_max_length);
    expect(t.paddingSide).toBe(exp.padding_side);
    expect(t.truncationSide).toBe(exp.truncation_side);
    const got: Record<string, string | number | null> = {};
    for (const n of ['bos', 'eos', 'unk', 'pad', 'cls', 'sep', 'mask'] as const) {
      const key = `${n}Token` as const;
      got[`${n}_token`] = t[key];
      got[`${n}_token_id`] = t[`${key}Id`];
    }
    expect(got).toEqual(exp.specials);
    expect([...t.allSpecialIds].sort((a, b) => a - b)).toEqual(exp.all_special_ids);
    expect(t.convertTokensToIds(exp.convert_tokens_to_ids.tokens)).toEqual(exp.convert_tokens_to_ids.ids);
  });

  describe('encode', () => {
    for (const [i, e] of exp.encode.entries()) {
      it(`probe ${i}: ${JSON.stringify(e.text).slice(0, 50)}`, async () => {
        const t = await load();
        expect(t.encode(e.text)).toEqual(e.ids);
        expect(t.encode(e.text, { addSpecialTokens: false })).toEqual(e.ids_plain);
        expect(t.tokenize(e.text)).toEqual(e.tokens);
      });
    }
  });

  describe('decode', () => {
    for (const [i, d] of exp.decode.entries()) {
      it(`case ${i} (${d.ids.length} ids)`, async () => {
        const t = await load();
        expect(t.decode(d.ids)).toBe(d.text);
        expect(t.decode(d.ids, { skipSpecialTokens: true })).toBe(d.text_skip);
      });
    }
  });

  it('encodes sentence pairs as tokenizer(a, b)', async () => {
    const t = await load();
    for (const p of exp.pairs) {
      expect(t.encode(p.a, { textPair: p.b })).toEqual(p.input_ids);
      const b = t.encodeBatch([[p.a, p.b]]);
      expect(b.inputIds[0]).toEqual(p.input_ids);
      expect(b.attentionMask[0]).toEqual(p.attention_mask);
    }
  });

  describe.each([
    ['batch', exp.batch],
    ['pair batch', exp.pair_batch],
  ] as const)('%s padding / truncation', (_kind, cases) => {
    for (const c of cases) {
      it(JSON.stringify(c.options), async () => {
        const t = await load();
        const inputs = c.texts ?? c.pairs!;
        const run = () => t.encodeBatch(inputs, toOptions(c.options));
        if (c.error !== undefined) {
          const head = c.error.startsWith('Asking to pad') ? TRANSFORMERS_PAD_ERROR : c.error;
          expect(run).toThrow(TokenizerInputError);
          expect(run).toThrow(head);
          return;
        }
        const got = run();
        expect(got.inputIds).toEqual(c.input_ids);
        expect(got.attentionMask).toEqual(c.attention_mask);
        expect(got.tokenTypeIds).toBeUndefined(); // model_input_names has no token_type_ids
      });
    }
  });

  if (exp.chat.length > 0) {
    describe('applyChatTemplate', () => {
      for (const [i, c] of exp.chat.entries()) {
        it(`chat ${i}, addGenerationPrompt ${c.add_generation_prompt}`, async () => {
          const t = await load();
          expect(t.applyChatTemplate(c.messages, { addGenerationPrompt: c.add_generation_prompt, tokenize: false })).toBe(c.text);
          expect(t.applyChatTemplate(c.messages, { addGenerationPrompt: c.add_generation_prompt })).toEqual(c.ids);
        });
      }
      if (exp.chat_named) {
        const n = exp.chat_named;
        it(`named template "${n.name}"`, async () => {
          const t = await load();
          expect(t.applyChatTemplate(n.messages, { chatTemplate: n.name, tokenize: false })).toBe(n.text);
        });
      }
      if (exp.chat_error) {
        const ce = exp.chat_error;
        it('raise_exception in the template throws the template message', async () => {
          const t = await load();
          const run = () => t.applyChatTemplate(ce.messages, { tokenize: false });
          expect(run).toThrow(TokenizerInputError);
          expect(run).toThrow(ce.message);
        });
      }
    });
  } else {
    it('applyChatTemplate without a chat template throws a clear error', async () => {
      const t = await load();
      expect(() => t.applyChatTemplate([{ role: 'user', content: 'hi' }])).toThrow(/has no chat template/);
    });
  }

  it('fromJSON on the same files gives the same tokenizer', async () => {
    const read = (f: string) => {
      try {
        return readFileSync(join(FIXTURES, name, f), 'utf8');
      } catch {
        return null;
      }
    };
    const t = AutoTokenizer.fromJSON({
      tokenizerJson: JSON.parse(read('tokenizer.json')!),
      tokenizerConfig: read('tokenizer_config.json'),
      specialTokensMap: read('special_tokens_map.json'),
      chatTemplate: read('chat_template.jinja'),
    });
    for (const e of exp.encode) expect(t.encode(e.text)).toEqual(e.ids);
    expect(t.padTokenId).toBe(exp.specials.pad_token_id);
  });
});
