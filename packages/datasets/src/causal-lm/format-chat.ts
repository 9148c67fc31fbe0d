import { CausalLmInputError } from './errors';
import { IGNORE_INDEX, type TokenizedExample } from './tokenized';

/** One chat turn, as chat templates take it; extra fields are passed through. */
export interface SftMessage {
  role: string;
  content: unknown;
  [key: string]: unknown;
}

/**
 * What SFT formatting needs of a tokenizer. `PreTrainedTokenizer` from
 * `@tfjs-peft/models/tokenizer` (`AutoTokenizer.fromPretrained`) has it.
 */
export interface ChatTemplateTokenizer {
  applyChatTemplate(messages: SftMessage[], options?: { addGenerationPrompt?: boolean; chatTemplate?: string }): number[];
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  readonly eosToken: string | null;
}

/**
 * An instruction-tuning example, in TRL's dataset formats: conversational (`messages`),
 * prompt/completion as plain text, or prompt/completion as lists of messages.
 */
export type SftExample = { messages: SftMessage[] } | { prompt: string; completion: string } | { prompt: SftMessage[]; completion: SftMessage[] };

export interface FormatChatOptions {
  /**
   * Labels only on the responses (default true): the assistant turns of `messages`, the completion
   * of prompt/completion (TRL's `assistant_only_loss` / `completion_only_loss`); false labels every token.
   */
  responseOnly?: boolean;
  /** plain-text prompt/completion: append the EOS token to the completion unless it ends with it (default true, as TRL) */
  addEos?: boolean;
  /** a chat template text (or the name of one of the tokenizer's) instead of the tokenizer's default */
  chatTemplate?: string;
}

const WHERE = 'formatChat';

function isPrefix(prefix: number[], full: number[]): boolean {
  if (prefix.length > full.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== full[i]) return false;
  return true;
}

function checkMessages(v: unknown, index: number, field: string): SftMessage[] {
  if (!Array.isArray(v)) throw new CausalLmInputError(WHERE, index, field, `expected a list of { role, content } messages, got ${typeof v}`);
  if (v.length === 0) throw new CausalLmInputError(WHERE, index, field, 'expected at least one message, got an empty list');
  v.forEach((m: unknown, k) => {
    if (m === null || typeof m !== 'object' || typeof (m as SftMessage).role !== 'string' || !('content' in m)) {
      throw new CausalLmInputError(WHERE, index, `${field}[${k}]`, `expected { role: string, content }, got ${JSON.stringify(m)}`);
    }
  });
  return v as SftMessage[];
}

function rolesOf(messages: SftMessage[]): string {
  return JSON.stringify(messages.map((m) => m.role));
}

function render(tok: ChatTemplateTokenizer, messages: SftMessage[], generation: boolean, o: FormatChatOptions, index: number, field: string): number[] {
  try {
    return tok.applyChatTemplate(messages, { addGenerationPrompt: generation, ...(o.chatTemplate !== undefined ? { chatTemplate: o.chatTemplate } : {}) });
  } catch (e) {
    throw new CausalLmInputError(WHERE, index, field, `the chat template could not render roles ${rolesOf(messages)}: ${(e as Error).message}`);
  }
}

const NOT_PREFIX =
  'is not a token prefix of the whole rendering (the template renders earlier turns differently once later ones follow, or tokens merge across the boundary), so the response cannot be located by prefix tokenization';

/** `messages`: labels on every assistant turn, found by rendering the conversation up to it. */
function formatMessages(tok: ChatTemplateTokenizer, raw: unknown, index: number, o: FormatChatOptions): TokenizedExample {
  const messages = checkMessages(raw, index, 'messages');
  const turns = messages.flatMap((m, k) => (m.role === 'assistant' ? [k] : []));
  if (turns.length === 0) throw new CausalLmInputError(WHERE, index, 'messages', `expected at least one assistant turn, got roles ${rolesOf(messages)}`);
  if (turns[0] === 0) throw new CausalLmInputError(WHERE, index, 'messages[0]', 'expected a system or user turn before the first assistant turn, got an assistant turn first');
  const inputIds = render(tok, messages, false, o, index, 'messages');
  if (o.responseOnly === false) return { inputIds, labels: [...inputIds] };
  const labels = inputIds.map(() => IGNORE_INDEX);
  for (const k of turns) {
    const prefix = render(tok, messages.slice(0, k), true, o, index, `messages[${k}]`);
    if (!isPrefix(prefix, inputIds)) {
      throw new CausalLmInputError(WHERE, index, `messages[${k}]`, `the rendering of messages[0…${k - 1}] with add_generation_prompt (${prefix.length} tokens) ${NOT_PREFIX}`);
    }
    const through = render(tok, messages.slice(0, k + 1), false, o, index, `messages[${k}]`);
    if (!isPrefix(through, inputIds) || through.length <= prefix.length) {
      throw new CausalLmInputError(WHERE, index, `messages[${k}]`, `the rendering of messages[0…${k}] (${through.length} tokens, ${prefix.length} before the turn) ${NOT_PREFIX}`);
    }
    for (let t = prefix.length; t < through.length; t++) labels[t] = inputIds[t]!;
  }
  return { inputIds, labels };
}

/** `prompt` + `completion`: plain text (tokenized with special tokens, EOS appended) or messages. */
function formatPromptCompletion(tok: ChatTemplateTokenizer, ex: { prompt: unknown; completion: unknown }, index: number, o: FormatChatOptions): TokenizedExample {
  let prompt: number[];
  let inputIds: number[];
  if (typeof ex.prompt === 'string') {
    if (typeof ex.completion !== 'string') throw new CausalLmInputError(WHERE, index, 'completion', `expected a string (the prompt is a string), got ${typeof ex.completion}`);
    if (ex.completion.length === 0) throw new CausalLmInputError(WHERE, index, 'completion', 'expected a non-empty string, got ""');
    const eos = o.addEos !== false && tok.eosToken !== null && !ex.completion.endsWith(tok.eosToken) ? tok.eosToken : '';
    prompt = tok.encode(ex.prompt);
    inputIds = tok.encode(ex.prompt + ex.completion + eos);
    if (!isPrefix(prompt, inputIds)) {
      throw new CausalLmInputError(
        WHERE,
        index,
        'prompt',
        `the prompt's ${prompt.length} tokens are not a prefix of the tokens of prompt + completion (its last token merges with the completion's first); end the prompt at a token boundary (a space or newline the tokenizer splits on)`,
      );
    }
  } else {
    const p = checkMessages(ex.prompt, index, 'prompt');
    const c = checkMessages(ex.completion, index, 'completion');
    prompt = render(tok, p, true, o, index, 'prompt');
    inputIds = render(tok, [...p, ...c], false, o, index, 'completion');
    if (!isPrefix(prompt, inputIds) || inputIds.length === prompt.length) {
      throw new CausalLmInputError(WHERE, index, 'prompt', `the rendering of the prompt with add_generation_prompt (${prompt.length} tokens) ${NOT_PREFIX}`);
    }
  }
  if (o.responseOnly === false) return { inputIds, labels: [...inputIds] };
  return { inputIds, labels: inputIds.map((id, t) => (t < prompt.length ? IGNORE_INDEX : id)) };
}

/**
 * Renders and tokenizes SFT examples with completion-only labels: the prompt part (every turn but
 * the assistant's, or the prompt of a prompt/completion pair) is −100, the response tokens keep
 * their ids, as TRL's `SFTTrainer` with `assistant_only_loss` / `completion_only_loss`.
 *
 * The responses are located by prefix tokenization: for assistant turn k, the conversation up to
 * it rendered with `add_generation_prompt: true` must be a token prefix of the whole rendering, and
 * the turn's tokens run to the end of the rendering of `messages[0…k]` (so the template's
 * end-of-turn tokens, e.g. `<|im_end|>\n`, are labels too: the model learns to stop). When a
 * template or tokenizer breaks the prefix property the example's index is named in a
 * {@link CausalLmInputError}; so are an empty conversation, one without assistant turn, or one
 * that opens with the assistant.
 */
export function formatChat(tokenizer: ChatTemplateTokenizer, examples: readonly SftExample[], options: FormatChatOptions = {}): TokenizedExample[] {
  if (!Array.isArray(examples)) throw new CausalLmInputError(WHERE, null, 'examples', `expected a list of examples, got ${typeof examples}`);
  return examples.map((ex: unknown, i) => {
    if (ex === null || typeof ex !== 'object') throw new CausalLmInputError(WHERE, i, '', `expected { messages } or { prompt, completion }, got ${JSON.stringify(ex)}`);
    if ('messages' in ex) return formatMessages(tokenizer, ex.messages, i, options);
    if ('prompt' in ex && 'completion' in ex) return formatPromptCompletion(tokenizer, ex as { prompt: unknown; completion: unknown }, i, options);
    throw new CausalLmInputError(WHERE, i, '', `expected { messages } or { prompt, completion }, got keys ${JSON.stringify(Object.keys(ex))}`);
  });
}
