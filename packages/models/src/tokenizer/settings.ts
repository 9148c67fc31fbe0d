import { TokenizerConfigError } from './errors';
import type { ParsedSources } from './load';

type Json = Record<string, unknown>;

/** The named special tokens transformers knows (`SPECIAL_TOKENS_ATTRIBUTES`). */
export const SPECIAL_TOKEN_NAMES = ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'] as const;
export type SpecialTokenName = (typeof SPECIAL_TOKEN_NAMES)[number];

/** transformers' `VERY_LARGE_INTEGER`, the `model_max_length` of a tokenizer that sets none. */
export const VERY_LARGE_INTEGER = 1e30;

export type Side = 'left' | 'right';

/** A special token as written in tokenizer_config.json: a string or an `AddedToken` object. */
export interface SpecialToken {
  content: string;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  singleWord: boolean;
}

/** What AutoTokenizer reads from tokenizer_config.json (+ special_tokens_map.json, chat_template.jinja). */
export interface TokenizerSettings {
  specials: Record<SpecialTokenName, SpecialToken | null>;
  /** `extra_special_tokens` / `additional_special_tokens` (list form, or the values of the dict form). */
  extraSpecials: SpecialToken[];
  modelMaxLength: number;
  paddingSide: Side;
  truncationSide: Side;
  /** One template, or named templates (`default`, `tool_use`, …). */
  chatTemplate: string | Record<string, string> | null;
  cleanUpTokenizationSpaces: boolean;
  modelInputNames: string[];
  addBosToken: boolean | undefined;
  addEosToken: boolean | undefined;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing (the field is missing)' : JSON.stringify(v);
}

function fail(label: string, key: string, expected: string, v: unknown): never {
  throw new TokenizerConfigError(`${label}: "${key}" expected ${expected}, got ${show(v)}`);
}

function specialToken(v: unknown, label: string, key: string): SpecialToken | null {
  if (v == null) return null;
  if (typeof v === 'string') return { content: v, lstrip: false, rstrip: false, normalized: false, singleWord: false };
  if (typeof v === 'object' && !Array.isArray(v) && typeof (v as Json).content === 'string') {
    const o = v as Json;
    return { content: o.content as string, lstrip: o.lstrip === true, rstrip: o.rstrip === true, normalized: o.normalized === true, singleWord: o.single_word === true };
  }
  return fail(label, key, 'a string, an AddedToken object { content, ... } or null', v);
}

function side(cfg: Json, label: string, key: string): Side {
  const v = cfg[key] ?? 'right';
  if (v !== 'left' && v !== 'right') fail(label, key, '"left" or "right"', cfg[key]);
  return v;
}

function chatTemplates(cfg: Json, label: string, file: string | null): string | Record<string, string> | null {
  if (file !== null) return file;
  const v = cfg.chat_template;
  if (v == null) return null;
  if (typeof v === 'string') return v;
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    v.forEach((t: unknown, i) => {
      const o = t as Json | null;
      if (o === null || typeof o !== 'object' || typeof o.name !== 'string' || typeof o.template !== 'string') {
        fail(label, `chat_template[${i}]`, '{ name: string, template: string }', t);
      }
      out[o.name as string] = o.template as string;
    });
    return out;
  }
  if (typeof v === 'object') {
    for (const [k, t] of Object.entries(v as Json)) {
      if (typeof t !== 'string') fail(label, `chat_template.${k}`, 'a template string', t);
      out[k] = t as string;
    }
    return out;
  }
  return fail(label, 'chat_template', 'a template string or a list of { name, template }', v);
}

function extraSpecials(cfg: Json, label: string): SpecialToken[] {
  const out: SpecialToken[] = [];
  for (const key of ['additional_special_tokens', 'extra_special_tokens']) {
    const v = cfg[key];
    if (v == null) continue;
    const items = Array.isArray(v)
      ? v.map((t, i) => [`${key}[${i}]`, t] as const)
      : typeof v === 'object'
        ? Object.entries(v as Json).map(([k, t]) => [`${key}.${k}`, t] as const)
        : null;
    if (items === null) fail(label, key, 'a list of tokens or an object { name: token }', v);
    for (const [k, t] of items) {
      const tok = specialToken(t, label, k);
      if (tok && !out.some((o) => o.content === tok.content)) out.push(tok);
    }
  }
  return out;
}

/** Reads the tokenizer_config.json fields as transformers does; errors name the file and field. */
export function readSettings(src: ParsedSources): TokenizerSettings {
  const cfg = src.tokenizerConfig;
  const label = src.labels.tokenizerConfig;
  // transformers reads special_tokens_map.json only when tokenizer_config has no added_tokens_decoder,
  // and then its entries replace tokenizer_config's.
  const map = cfg.added_tokens_decoder == null ? src.specialTokensMap : {};
  const specials = {} as Record<SpecialTokenName, SpecialToken | null>;
  for (const name of SPECIAL_TOKEN_NAMES) {
    const key = `${name}_token`;
    specials[name] = key in map ? specialToken(map[key], src.labels.specialTokensMap, key) : specialToken(cfg[key], label, key);
  }
  const extras = extraSpecials(cfg, label);
  for (const t of extraSpecials(map, src.labels.specialTokensMap)) if (!extras.some((o) => o.content === t.content)) extras.push(t);

  const mml = cfg.model_max_length ?? cfg.max_len ?? VERY_LARGE_INTEGER;
  if (typeof mml !== 'number' || !(mml > 0)) fail(label, 'model_max_length', 'a positive number', cfg.model_max_length);
  const cleanUp = cfg.clean_up_tokenization_spaces ?? false;
  if (typeof cleanUp !== 'boolean') fail(label, 'clean_up_tokenization_spaces', 'a boolean', cleanUp);
  const names = cfg.model_input_names ?? ['input_ids', 'attention_mask'];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) fail(label, 'model_input_names', 'a list of strings', names);
  const flag = (key: string): boolean | undefined => {
    const v = cfg[key];
    if (v != null && typeof v !== 'boolean') fail(label, key, 'a boolean', v);
    return v == null ? undefined : v;
  };
  return {
    specials,
    extraSpecials: extras,
    modelMaxLength: mml,
    paddingSide: side(cfg, label, 'padding_side'),
    truncationSide: side(cfg, label, 'truncation_side'),
    chatTemplate: chatTemplates(cfg, label, src.chatTemplateFile),
    cleanUpTokenizationSpaces: cleanUp,
    modelInputNames: names as string[],
    addBosToken: flag('add_bos_token'),
    addEosToken: flag('add_eos_token'),
  };
}
