import { Template } from '@huggingface/jinja';
import { TokenizerInputError } from './errors';

/** One chat turn; extra fields (tool calls, names, …) are passed through to the template. */
export interface ChatMessage {
  role: string;
  content: string | unknown;
  [key: string]: unknown;
}

export interface RenderChatOptions {
  /** add the header that starts an assistant turn (`add_generation_prompt`) */
  addGenerationPrompt?: boolean;
  /** a template text, or the name of one of the tokenizer's named templates (`tool_use`, …) */
  chatTemplate?: string;
  /** JSON schemas of the tools (`tools`); picks the `tool_use` template when there is one */
  tools?: Record<string, unknown>[];
  /** retrieval documents (`documents`) */
  documents?: Record<string, unknown>[];
  /** more variables for the template; they override the special tokens of the same name */
  templateKwargs?: Record<string, unknown>;
}

const NO_TEMPLATE =
  'Cannot use apply_chat_template because this tokenizer has no chat template (no chat_template.jinja and no "chat_template" in tokenizer_config.json) and none was passed in the chatTemplate option';

/** The template to render, chosen as transformers' `get_chat_template` does. */
export function pickTemplate(own: string | Record<string, string> | null, asked: string | undefined, hasTools: boolean): string {
  if (own !== null && typeof own === 'object') {
    if (asked !== undefined) return own[asked] ?? asked;
    if (hasTools && own.tool_use !== undefined) return own.tool_use;
    if (own.default !== undefined) return own.default;
    throw new TokenizerInputError(
      `This tokenizer has several chat templates and none named "default"; pass one of ${JSON.stringify(Object.keys(own).sort())} as the chatTemplate option`,
    );
  }
  if (asked !== undefined) return asked;
  if (own === null) throw new TokenizerInputError(NO_TEMPLATE);
  return own;
}

const compiled = new Map<string, Template>();

function compile(text: string): Template {
  let t = compiled.get(text);
  if (!t) {
    try {
      t = new Template(text);
    } catch (e) {
      throw new TokenizerInputError(`chat template does not parse: ${(e as Error).message}`);
    }
    if (compiled.size > 32) compiled.clear();
    compiled.set(text, t);
  }
  return t;
}

/**
 * Renders a chat with a Jinja chat template and the variables transformers passes:
 * `messages`, `tools`, `documents`, `add_generation_prompt`, the special tokens (`bos_token`,
 * `eos_token`, …); `raise_exception` and `strftime_now` come with `@huggingface/jinja` (blocks are trimmed as with
 * `trim_blocks` + `lstrip_blocks`).
 */
export function renderChat(template: string, messages: ChatMessage[], specialTokens: Record<string, string>, options: RenderChatOptions = {}): string {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new TokenizerInputError('Cannot apply chat template to an empty conversation. Provide at least one message.');
  }
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object' || typeof m.role !== 'string') {
      throw new TokenizerInputError(`messages[${i}]: expected { role: string, content }, got ${JSON.stringify(m)}`);
    }
  });
  const t = compile(template);
  const vars: Record<string, unknown> = {
    ...specialTokens,
    ...(options.templateKwargs ?? {}),
    messages,
    tools: options.tools ?? null,
    documents: options.documents ?? null,
    add_generation_prompt: options.addGenerationPrompt ?? false,
  };
  try {
    return t.render(vars);
  } catch (e) {
    throw new TokenizerInputError(`chat template failed to render: ${(e as Error).message}`);
  }
}
