import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { AutoTokenizer, type PreTrainedTokenizer } from '@tfjs-peft/models/tokenizer';
import { CausalLmInputError, formatChat, type SftExample } from './index';
import { readGolden, TOKENIZER_FIXTURES } from './golden';

const golden = readGolden();
const NAMES = Object.keys(golden.chat);
const toks: Record<string, PreTrainedTokenizer> = {};

beforeAll(async () => {
  for (const n of NAMES) toks[n] = await AutoTokenizer.fromPretrained(join(TOKENIZER_FIXTURES, n));
});

function expectError(f: () => unknown, text: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CausalLmInputError);
  expect((err as CausalLmInputError).code).toBe('CAUSAL_LM_INPUT');
  expect((err as Error).message).toContain(text);
}

describe('formatChat against transformers (prefix tokenization with its chat templates)', () => {
  it('has golden cases for three templates, with multi-turn and trailing user turns', () => {
    expect(NAMES.sort()).toEqual(['qwen2-bpe', 'sentencepiece-bpe', 'unigram']);
    for (const n of NAMES) expect(golden.chat[n]!.filter((r) => r.labels).length).toBe(3);
  });

  it.each(NAMES)('%s: messages → ids and assistant-only labels as transformers', (name) => {
    const rows = golden.chat[name]!;
    const out = formatChat(
      toks[name]!,
      rows.map((r) => ({ messages: r.messages })),
    );
    rows.forEach((r, i) => {
      expect(out[i]!.inputIds).toEqual(r.input_ids);
      expect(out[i]!.labels).toEqual(r.labels);
      // the responses are labelled: something is, and not everything
      expect(out[i]!.labels!.some((l) => l !== -100)).toBe(true);
      expect(out[i]!.labels!.some((l) => l === -100)).toBe(true);
    });
  });

  it.each(NAMES)('%s: prompt/completion (text with EOS, and messages) as transformers; a merging boundary is an error naming the example', (name) => {
    const rows = golden.prompt_completion[name]!;
    rows.forEach((r) => {
      const ex = { prompt: r.prompt, completion: r.completion } as SftExample;
      if (r.error) {
        expectError(() => formatChat(toks[name]!, [rows[rows.length - 1]! as unknown as SftExample, ex]), "formatChat: examples[1].prompt: the prompt's");
        return;
      }
      const [out] = formatChat(toks[name]!, [ex]);
      expect(out!.inputIds).toEqual(r.input_ids);
      expect(out!.labels).toEqual(r.labels);
    });
  });

  it('sentencepiece merges "fox" with the completion\'s space ("ox▁"): the golden records it and formatChat refuses', () => {
    expect(golden.prompt_completion['sentencepiece-bpe']!.some((r) => r.error)).toBe(true);
  });

  it('responseOnly: false labels every token', () => {
    const r = golden.chat['qwen2-bpe']![1]!;
    const [out] = formatChat(toks['qwen2-bpe']!, [{ messages: r.messages }], { responseOnly: false });
    expect(out!.labels).toEqual(r.input_ids);
  });
});

describe('formatChat bad input', () => {
  const user = { role: 'user', content: 'Is there a fracture?' };
  const assistant = { role: 'assistant', content: 'No.' };
  const ok = { messages: [user, assistant] };

  it('empty messages, no assistant turn, assistant first, a malformed message, an unknown shape', () => {
    const tok = toks['qwen2-bpe']!;
    expectError(() => formatChat(tok, [ok, { messages: [] }]), 'formatChat: examples[1].messages: expected at least one message, got an empty list');
    expectError(() => formatChat(tok, [{ messages: [user] }]), 'formatChat: examples[0].messages: expected at least one assistant turn, got roles ["user"]');
    expectError(() => formatChat(tok, [{ messages: [assistant, user] }]), 'examples[0].messages[0]: expected a system or user turn before the first assistant turn');
    expectError(() => formatChat(tok, [ok, ok, { messages: [user, { content: 'x' }] } as never]), 'examples[2].messages[1]: expected { role: string, content }');
    expectError(() => formatChat(tok, [{ text: 'hi' } as never]), 'examples[0]: expected { messages } or { prompt, completion }, got keys ["text"]');
    expectError(() => formatChat(tok, [{ prompt: 'a', completion: 3 } as never]), 'examples[0].completion: expected a string');
    expectError(() => formatChat(tok, [{ prompt: 'a', completion: '' }]), 'examples[0].completion: expected a non-empty string');
    expectError(() => formatChat(tok, [{ prompt: [user], completion: [] }]), 'examples[0].completion: expected at least one message');
  });

  it('a template whose generation prompt is not how it renders the assistant turn: typed error naming the turn', () => {
    const chatTemplate = "{% for m in messages %}{{ '<' + m.role + '>' + m.content }}{% endfor %}{% if add_generation_prompt %}{{ '<gen>' }}{% endif %}";
    expectError(
      () => formatChat(toks['qwen2-bpe']!, [ok, ok, ok], { chatTemplate }).at(0),
      'formatChat: examples[0].messages[1]: the rendering of messages[0…0] with add_generation_prompt',
    );
  });

  it('a template that raises (Llama 2: roles must alternate) names the example', () => {
    expectError(
      () => formatChat(toks['sentencepiece-bpe']!, [ok, { messages: [user, user, assistant] }]),
      'formatChat: examples[1].messages: the chat template could not render roles ["user","user","assistant"]: chat template failed to render: Conversation roles must alternate',
    );
  });
});
