import { exists, joinPath, readText, type FileLocation } from '@tfjs-peft/core';
import { TokenizerConfigError } from './errors';

type Json = Record<string, unknown>;

/** The tokenizer files of a checkpoint, parsed (objects) or as JSON text (strings). */
export interface TokenizerSources {
  /** `tokenizer.json` (required). */
  tokenizerJson: Json | string;
  /** `tokenizer_config.json`. */
  tokenizerConfig?: Json | string | null;
  /** `special_tokens_map.json` (legacy; its tokens override those of tokenizer_config.json). */
  specialTokensMap?: Json | string | null;
  /** The text of `chat_template.jinja`; takes priority over tokenizer_config's `chat_template`. */
  chatTemplate?: string | null;
}

/** Where each tokenizer file lies, for checkpoints whose files are not in one folder. */
export interface TokenizerFiles {
  tokenizerJson: FileLocation;
  tokenizerConfig?: FileLocation;
  specialTokensMap?: FileLocation;
  chatTemplate?: FileLocation;
}

/** The sources after parsing, each object labelled with the file it came from. */
export interface ParsedSources {
  tokenizerJson: Json;
  tokenizerConfig: Json;
  specialTokensMap: Json;
  chatTemplateFile: string | null;
  labels: { tokenizerJson: string; tokenizerConfig: string; specialTokensMap: string; chatTemplate: string };
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `a string (${JSON.stringify(v.slice(0, 40))})` : typeof v;
}

function parseObject(value: unknown, label: string): Json {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new TokenizerConfigError(`${label}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TokenizerConfigError(`${label}: expected a JSON object, got ${describe(v)}`);
  return v as Json;
}

/** Parses and checks the shape of the fields this package reads; errors name the file and field. */
export function parseSources(src: TokenizerSources, labels: Partial<ParsedSources['labels']> = {}): ParsedSources {
  const l = {
    tokenizerJson: labels.tokenizerJson ?? 'tokenizer.json',
    tokenizerConfig: labels.tokenizerConfig ?? 'tokenizer_config.json',
    specialTokensMap: labels.specialTokensMap ?? 'special_tokens_map.json',
    chatTemplate: labels.chatTemplate ?? 'chat_template.jinja',
  };
  if (src === null || typeof src !== 'object') throw new TokenizerConfigError(`AutoTokenizer.fromJSON: expected an object { tokenizerJson, ... }, got ${describe(src)}`);
  if (src.tokenizerJson == null) throw new TokenizerConfigError(`AutoTokenizer.fromJSON: "tokenizerJson" (the contents of tokenizer.json) is required`);
  const tokenizerJson = parseObject(src.tokenizerJson, l.tokenizerJson);
  const tokenizerConfig = src.tokenizerConfig == null ? {} : parseObject(src.tokenizerConfig, l.tokenizerConfig);
  const specialTokensMap = src.specialTokensMap == null ? {} : parseObject(src.specialTokensMap, l.specialTokensMap);
  if (src.chatTemplate != null && typeof src.chatTemplate !== 'string') {
    throw new TokenizerConfigError(`${l.chatTemplate}: expected the template text (a string), got ${describe(src.chatTemplate)}`);
  }
  checkTokenizerJson(tokenizerJson, l.tokenizerJson);
  return { tokenizerJson, tokenizerConfig, specialTokensMap, chatTemplateFile: src.chatTemplate ?? null, labels: l };
}

function checkTokenizerJson(j: Json, label: string): void {
  const model = j.model;
  if (model === null || typeof model !== 'object' || Array.isArray(model)) throw new TokenizerConfigError(`${label}: "model" expected an object, got ${describe(model)}`);
  const type = (model as Json).type;
  if (typeof type !== 'string') throw new TokenizerConfigError(`${label}: "model.type" expected a string such as "BPE", "WordPiece" or "Unigram", got ${describe(type)}`);
  const vocab = (model as Json).vocab;
  if (vocab === null || typeof vocab !== 'object') throw new TokenizerConfigError(`${label}: "model.vocab" expected an object or an array, got ${describe(vocab)}`);
  const added = j.added_tokens ?? [];
  if (!Array.isArray(added)) throw new TokenizerConfigError(`${label}: "added_tokens" expected an array, got ${describe(added)}`);
  added.forEach((t: unknown, i) => {
    const o = t as Json | null;
    if (o === null || typeof o !== 'object' || typeof o.content !== 'string' || !Number.isSafeInteger(o.id) || (o.id as number) < 0) {
      throw new TokenizerConfigError(`${label}: "added_tokens[${i}]" expected { id: a non-negative integer, content: a string }, got ${JSON.stringify(t)}`);
    }
  });
}

async function readJsonFile(path: FileLocation): Promise<{ json: Json; label: string }> {
  const { text, label } = await readText(path);
  return { json: parseObject(text, label), label };
}

function isFiles(x: unknown): x is TokenizerFiles {
  return x !== null && typeof x === 'object' && 'tokenizerJson' in x;
}

/** Reads a checkpoint folder (or the files named one by one) into parsed sources. */
export async function readSources(where: FileLocation | TokenizerFiles): Promise<ParsedSources> {
  let files: TokenizerFiles;
  let folder: string | null = null;
  if (isFiles(where)) {
    files = where;
  } else {
    folder = String(where);
    files = {
      tokenizerJson: joinPath(where, 'tokenizer.json'),
      tokenizerConfig: joinPath(where, 'tokenizer_config.json'),
      specialTokensMap: joinPath(where, 'special_tokens_map.json'),
      chatTemplate: joinPath(where, 'chat_template.jinja'),
    };
  }
  if (!(await exists(files.tokenizerJson))) {
    throw new TokenizerConfigError(
      folder === null
        ? `tokenizer.json not found at ${String(files.tokenizerJson)}`
        : `tokenizer.json not found in ${folder} (AutoTokenizer needs the fast-tokenizer file that transformers saves with save_pretrained)`,
    );
  }
  const tj = await readJsonFile(files.tokenizerJson);
  const optional = async (p: FileLocation | undefined): Promise<{ json: Json; label: string } | null> => (p !== undefined && (await exists(p)) ? readJsonFile(p) : null);
  const cfg = await optional(files.tokenizerConfig);
  const stm = await optional(files.specialTokensMap);
  let chat: { text: string; label: string } | null = null;
  if (files.chatTemplate !== undefined && (await exists(files.chatTemplate))) chat = await readText(files.chatTemplate);
  return parseSources(
    { tokenizerJson: tj.json, tokenizerConfig: cfg?.json ?? null, specialTokensMap: stm?.json ?? null, chatTemplate: chat?.text ?? null },
    {
      tokenizerJson: tj.label,
      ...(cfg ? { tokenizerConfig: cfg.label } : {}),
      ...(stm ? { specialTokensMap: stm.label } : {}),
      ...(chat ? { chatTemplate: chat.label } : {}),
    },
  );
}
