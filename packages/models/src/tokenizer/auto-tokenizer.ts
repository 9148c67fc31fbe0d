import * as tf from '@tensorflow/tfjs-core';
import { Tokenizer } from '@huggingface/tokenizers';
import { resolvePretrained, type FileLocation, type HubOptions } from '@tfjs-peft/core';
import { pickTemplate, renderChat, type ChatMessage, type RenderChatOptions } from './chat-template';
import { TokenizerConfigError, TokenizerInputError } from './errors';
import { parseSources, readSources, type ParsedSources, type TokenizerFiles, type TokenizerSources } from './load';
import {
  applyTemplate,
  bosEosTemplate,
  numSpecialTokens,
  readPostProcessor,
  truncatePair,
  type Pieces,
  type Processed,
  type SpecialsTemplate,
  type TruncationStrategy,
} from './post-process';
import { lengthSeenByTruncation, metaspaceSplitChar, wordLengths } from './words';
import { readSettings, SPECIAL_TOKEN_NAMES, VERY_LARGE_INTEGER, type Side, type SpecialToken, type SpecialTokenName, type TokenizerSettings } from './settings';

type Json = Record<string, unknown>;

export type Padding = boolean | 'longest' | 'max_length' | 'do_not_pad';
export type Truncation = boolean | TruncationStrategy | 'do_not_truncate';

export interface EncodeOptions {
  /** add the special tokens of the tokenizer.json post-processor (BOS, [CLS]/[SEP], …); default true */
  addSpecialTokens?: boolean;
  /** a second text, encoded as a pair */
  textPair?: string | null;
}

export interface BatchOptions {
  /** `true`/'longest': to the longest row; 'max_length': to `maxLength`; default no padding */
  padding?: Padding;
  /** `true` is 'longest_first'; default no truncation */
  truncation?: Truncation;
  /** default: `modelMaxLength` when truncating or padding to 'max_length' */
  maxLength?: number;
  /** default: tokenizer_config's `padding_side` ('right' when unset) */
  paddingSide?: Side;
  /** default: tokenizer_config's `truncation_side` ('right' when unset) */
  truncationSide?: Side;
  padToMultipleOf?: number;
  addSpecialTokens?: boolean;
  /** default: whether tokenizer_config's `model_input_names` lists token_type_ids */
  returnTokenTypeIds?: boolean;
}

export interface BatchEncoding {
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds?: number[][];
}

export interface TensorEncoding {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /** default: tokenizer_config's `clean_up_tokenization_spaces` (never applied to BPE models, as in transformers) */
  cleanUpTokenizationSpaces?: boolean;
}

export interface ApplyChatTemplateOptions extends RenderChatOptions {
  /** return token ids (default, as transformers) or, with `false`, the rendered text */
  tokenize?: boolean;
}

/** The hub options (`revision`, `cacheDir`, `token`, `localFilesOnly`, …) apply to a hub repo id. */
export interface AutoTokenizerOptions extends HubOptions {
  /**
   * Rebuild the post-processor from tokenizer_config's `add_bos_token` / `add_eos_token` when they
   * are set (transformers 4 `LlamaTokenizerFast`). Default false: transformers 5 ignores both flags
   * when a tokenizer.json is present and keeps its post-processor as written.
   */
  useConfigAddBosEos?: boolean;
}

function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

function modelTokens(model: Json): string[] {
  const vocab = model.vocab;
  if (Array.isArray(vocab)) return vocab.map((v: unknown) => (Array.isArray(v) ? String(v[0]) : String(v)));
  return Object.keys(vocab as Json);
}

/**
 * A tokenizer built from any `tokenizer.json` (BPE, byte-level BPE, WordPiece, Unigram, …) as
 * transformers' fast tokenizer (`TokenizersBackend` / `PreTrainedTokenizerFast`) reads it, with
 * `tokenizer_config.json`'s special tokens, padding and truncation sides, `model_max_length` and
 * chat template. Made by {@link AutoTokenizer}.
 */
export class PreTrainedTokenizer {
  /** tokenizer_config's `model_max_length` (1e30 when unset, as transformers). */
  readonly modelMaxLength: number;
  paddingSide: Side;
  truncationSide: Side;
  /** `add_bos_token` / `add_eos_token` of tokenizer_config.json, as written (see {@link AutoTokenizerOptions}). */
  readonly addBosToken: boolean | undefined;
  readonly addEosToken: boolean | undefined;
  /** The chat template(s): one text, or named ones. */
  readonly chatTemplate: string | Record<string, string> | null;
  readonly modelInputNames: readonly string[];
  /** The `model.type` of tokenizer.json (`BPE`, `WordPiece`, `Unigram`, …). */
  readonly modelType: string;
  private readonly specials: Record<SpecialTokenName, string | null>;
  private readonly extraSpecials: string[];
  private readonly vocab = new Map<string, number>();
  private readonly idToTokenMap = new Map<number, string>();
  private readonly baseVocabSize: number;
  private readonly cleanUp: boolean;
  private readonly metaspaceSplit: string | null;

  /** @internal use {@link AutoTokenizer.fromPretrained} or {@link AutoTokenizer.fromJSON} */
  constructor(
    private readonly tok: Tokenizer,
    private readonly template: SpecialsTemplate,
    settings: TokenizerSettings,
    tokenizerJson: Json,
    addedTokens: { id: number; content: string }[],
  ) {
    const model = tokenizerJson.model as Json;
    this.modelType = String(model.type);
    this.metaspaceSplit = metaspaceSplitChar(tokenizerJson.pre_tokenizer);
    const tokens = modelTokens(model);
    tokens.forEach((t, i) => {
      const id = Array.isArray(model.vocab) ? i : Number((model.vocab as Json)[t]);
      this.vocab.set(t, id);
      this.idToTokenMap.set(id, t);
    });
    this.baseVocabSize = tokens.length;
    for (const t of addedTokens) {
      this.vocab.set(t.content, t.id);
      this.idToTokenMap.set(t.id, t.content);
    }
    this.modelMaxLength = settings.modelMaxLength;
    this.paddingSide = settings.paddingSide;
    this.truncationSide = settings.truncationSide;
    this.addBosToken = settings.addBosToken;
    this.addEosToken = settings.addEosToken;
    this.chatTemplate = settings.chatTemplate;
    this.modelInputNames = settings.modelInputNames;
    this.cleanUp = settings.cleanUpTokenizationSpaces;
    this.specials = Object.fromEntries(SPECIAL_TOKEN_NAMES.map((n) => [n, settings.specials[n]?.content ?? null])) as Record<SpecialTokenName, string | null>;
    this.extraSpecials = settings.extraSpecials.map((t) => t.content);
  }

  /** Size of the model's vocabulary without the added tokens (transformers' `vocab_size`). */
  get vocabSize(): number {
    return this.baseVocabSize;
  }
  /** Size of the vocabulary with the added tokens (transformers' `len(tokenizer)`). */
  get length(): number {
    return this.vocab.size;
  }
  /** token → id, added tokens included. */
  getVocab(): Map<string, number> {
    return new Map(this.vocab);
  }

  private special(name: SpecialTokenName): string | null {
    return this.specials[name];
  }
  private specialId(name: SpecialTokenName): number | null {
    const t = this.specials[name];
    return t === null ? null : this.convertTokensToIds(t);
  }
  get bosToken(): string | null {
    return this.special('bos');
  }
  get bosTokenId(): number | null {
    return this.specialId('bos');
  }
  get eosToken(): string | null {
    return this.special('eos');
  }
  get eosTokenId(): number | null {
    return this.specialId('eos');
  }
  get unkToken(): string | null {
    return this.special('unk');
  }
  get unkTokenId(): number | null {
    return this.specialId('unk');
  }
  /** The pad token; set it (e.g. to `eosToken`) to pad with a tokenizer that has none. */
  get padToken(): string | null {
    return this.special('pad');
  }
  set padToken(token: string | null) {
    this.specials.pad = token;
  }
  get padTokenId(): number | null {
    return this.specialId('pad');
  }
  get clsToken(): string | null {
    return this.special('cls');
  }
  get clsTokenId(): number | null {
    return this.specialId('cls');
  }
  get sepToken(): string | null {
    return this.special('sep');
  }
  get sepTokenId(): number | null {
    return this.specialId('sep');
  }
  get maskToken(): string | null {
    return this.special('mask');
  }
  get maskTokenId(): number | null {
    return this.specialId('mask');
  }
  /** The named special tokens that are set, as the chat template sees them (`bos_token`, …). */
  get specialTokensMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of SPECIAL_TOKEN_NAMES) if (this.specials[n] !== null) out[`${n}_token`] = this.specials[n]!;
    return out;
  }
  /** Named special tokens, then the extra ones, without repeats. */
  get allSpecialTokens(): string[] {
    return [...new Set([...SPECIAL_TOKEN_NAMES.map((n) => this.specials[n]).filter((t): t is string => t !== null), ...this.extraSpecials])];
  }
  get allSpecialIds(): number[] {
    return [...new Set(this.allSpecialTokens.map((t) => this.convertTokensToIds(t)).filter((i): i is number => i !== null))];
  }

  /** The id of a token; unknown tokens give the unk token's id, or null without one. */
  convertTokensToIds(token: string): number | null;
  convertTokensToIds(tokens: string[]): (number | null)[];
  convertTokensToIds(t: string | string[]): number | null | (number | null)[] {
    if (Array.isArray(t)) return t.map((x) => this.convertTokensToIds(x));
    const id = this.vocab.get(t);
    if (id !== undefined) return id;
    const unk = this.specials.unk;
    return unk === null ? null : (this.vocab.get(unk) ?? null);
  }
  /** The token of each id (null for an id outside the vocabulary). */
  convertIdsToTokens(ids: number[]): (string | null)[] {
    return ids.map((i) => this.idToTokenMap.get(i) ?? null);
  }

  /** How many special tokens `encode` adds to one text (`pair` false) or a pair. */
  numSpecialTokensToAdd(pair = false): number {
    return numSpecialTokens(this.template, pair);
  }

  private pieces(text: unknown, what: string): Pieces {
    if (typeof text !== 'string') throw new TokenizerInputError(`${what}: expected a string, got ${text === null ? 'null' : typeof text}`);
    if (text === '') return { ids: [], tokens: [] };
    const e = this.tok.encode(text, { add_special_tokens: false });
    return { ids: e.ids.map(Number), tokens: e.tokens };
  }

  /** Tokens of a text, without special tokens (`convert_ids_to_tokens(encode(text, add_special_tokens=False))`). */
  tokenize(text: string): string[] {
    return this.pieces(text, 'tokenize').ids.map((i) => this.idToTokenMap.get(i) ?? '');
  }

  /** Token ids of a text (or a pair with `textPair`), with the special tokens unless `addSpecialTokens: false`. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const a = this.pieces(text, 'encode');
    const b = options.textPair == null ? null : this.pieces(options.textPair, 'encode: textPair');
    return (options.addSpecialTokens ?? true) ? applyTemplate(this.template, a, b).ids : [...a.ids, ...(b?.ids ?? [])];
  }

  /**
   * A batch of texts or `[text, pair]`s, truncated and padded as transformers' `tokenizer(texts, ...)`:
   * Rust-style truncation (longest_first splits the budget between pair members), then padding with
   * the pad token on `paddingSide` and a 0/1 attention mask. One string is a batch of one (as
   * transformers' `tokenizer(text, return_tensors=...)`); a list of two strings is two texts, a pair
   * is `[[text, pair]]`.
   */
  encodeBatch(inputs: string | (string | [string, string])[], options: BatchOptions = {}): BatchEncoding {
    if (typeof inputs === 'string') inputs = [inputs];
    if (!Array.isArray(inputs)) throw new TokenizerInputError(`encodeBatch: expected a text or a list of texts or [text, pair]s, got ${inputs === null ? 'null' : typeof inputs}`);
    const addSpecial = options.addSpecialTokens ?? true;
    const bigModel = this.modelMaxLength >= VERY_LARGE_INTEGER;
    const pad = options.padding ?? false;
    let padTo: 'longest' | 'max_length' | null = pad === true || pad === 'longest' ? 'longest' : pad === 'max_length' ? 'max_length' : null;
    if (padTo === 'max_length' && options.maxLength === undefined && bigModel) padTo = null;
    const tr = options.truncation ?? false;
    let strategy: TruncationStrategy | null = tr === true ? 'longest_first' : tr === false || tr === 'do_not_truncate' ? null : tr;
    if (strategy !== null && options.maxLength === undefined && bigModel) strategy = null;
    const maxLength = options.maxLength ?? this.modelMaxLength;
    if (padTo !== null && this.padTokenId === null) {
      throw new TokenizerInputError(
        'Asking to pad but the tokenizer does not have a padding token. Set one first, e.g. `tokenizer.padToken = tokenizer.eosToken`, or pass padding: false',
      );
    }
    const side = options.truncationSide ?? this.truncationSide;
    const rows: Processed[] = inputs.map((inp, i) => {
      const [ta, tb] = typeof inp === 'string' ? [inp, null] : Array.isArray(inp) && inp.length === 2 ? inp : [undefined, null];
      let a = this.pieces(ta, `encodeBatch: inputs[${i}]`);
      let b = tb === null ? null : this.pieces(tb, `encodeBatch: inputs[${i}][1]`);
      if (strategy !== null) {
        const budget = Math.max(0, maxLength - (addSpecial ? numSpecialTokens(this.template, b !== null) : 0));
        let seen: [number, number] | null = null;
        if (b !== null && strategy === 'longest_first' && a.ids.length + b.ids.length > budget) {
          const len = (text: string, p: Pieces) => lengthSeenByTruncation(wordLengths(this.tok, text, p.ids.length, this.metaspaceSplit), p.ids.length, maxLength, side);
          seen = [len(ta as string, a), len(tb as string, b)];
        }
        [a, b] = truncatePair(a, b, budget, strategy, side, seen);
      }
      return addSpecial ? applyTemplate(this.template, a, b) : applyTemplate(null, a, b);
    });
    let target = padTo === 'max_length' ? maxLength : padTo === 'longest' ? rows.reduce((m, r) => Math.max(m, r.ids.length), 0) : 0;
    const multiple = options.padToMultipleOf;
    if (padTo !== null && multiple && target % multiple !== 0) target = (Math.floor(target / multiple) + 1) * multiple;
    const padSide = options.paddingSide ?? this.paddingSide;
    const padId = this.padTokenId ?? 0;
    const fill = <T>(row: T[], value: T): T[] => {
      const extra = Array<T>(Math.max(0, target - row.length)).fill(value);
      return padSide === 'left' ? [...extra, ...row] : [...row, ...extra];
    };
    const out: BatchEncoding = {
      inputIds: rows.map((r) => fill(r.ids, padId)),
      attentionMask: rows.map((r) =>
        fill(
          r.ids.map(() => 1),
          0,
        ),
      ),
    };
    if (options.returnTokenTypeIds ?? this.modelInputNames.includes('token_type_ids')) out.tokenTypeIds = rows.map((r) => fill(r.typeIds, 0));
    return out;
  }

  /**
   * `encodeBatch` as `[B, T]` int32 tensors (`inputIds`, `attentionMask`, and `tokenTypeIds` when the
   * model takes them), ready for a model's `forward`; one string gives `[1, T]`. Padding defaults to
   * 'longest' when there is more than one row.
   */
  encodeToTensors(inputs: string | (string | [string, string])[], options: BatchOptions = {}): TensorEncoding {
    const rows = typeof inputs === 'string' ? 1 : Array.isArray(inputs) ? inputs.length : 0;
    const e = this.encodeBatch(inputs, { padding: rows > 1 ? 'longest' : false, ...options });
    if (new Set(e.inputIds.map((r) => r.length)).size > 1) throw new TokenizerInputError('encodeToTensors: rows differ in length; pass padding: true');
    const shape: [number, number] = [e.inputIds.length, e.inputIds[0]?.length ?? 0];
    const t = (rows: number[][]) => tf.tensor2d(rows.flat(), shape, 'int32');
    return { inputIds: t(e.inputIds), attentionMask: t(e.attentionMask), ...(e.tokenTypeIds ? { tokenTypeIds: t(e.tokenTypeIds) } : {}) };
  }

  /** Text of token ids; `skipSpecialTokens` drops the added tokens marked special. */
  decode(ids: number[], options: DecodeOptions = {}): string {
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i)))
      throw new TokenizerInputError(`decode: expected a list of integer token ids, got ${JSON.stringify(ids)?.slice(0, 60)}`);
    const known = ids.filter((i) => this.idToTokenMap.has(i));
    if (known.length === 0) return '';
    let text = this.tok.decode(known, { skip_special_tokens: options.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
    if ((options.cleanUpTokenizationSpaces ?? this.cleanUp) && this.modelType !== 'BPE') text = cleanUpTokenization(text);
    return text;
  }

  /** `decode` of each row. */
  batchDecode(rows: number[][], options: DecodeOptions = {}): string[] {
    return rows.map((r) => this.decode(r, options));
  }

  /**
   * Renders a chat with the tokenizer's chat template (`@huggingface/jinja`, with the variables
   * transformers' `apply_chat_template` passes) and, unless `tokenize: false`, encodes the text
   * without adding special tokens.
   */
  applyChatTemplate(messages: ChatMessage[], options: ApplyChatTemplateOptions & { tokenize: false }): string;
  applyChatTemplate(messages: ChatMessage[], options?: ApplyChatTemplateOptions): number[];
  applyChatTemplate(messages: ChatMessage[], options: ApplyChatTemplateOptions = {}): string | number[] {
    const template = pickTemplate(this.chatTemplate, options.chatTemplate, options.tools !== undefined);
    const text = renderChat(template, messages, this.specialTokensMap, options);
    return options.tokenize === false ? text : this.encode(text, { addSpecialTokens: false });
  }
}

/** Adds the special tokens of tokenizer_config that tokenizer.json lacks, as transformers does on load. */
function withSpecialTokens(tj: Json, settings: TokenizerSettings): { id: number; content: string; [k: string]: unknown }[] {
  const added = [...((tj.added_tokens as { id: number; content: string }[] | undefined) ?? [])];
  const model = tj.model as Json;
  const modelVocab = new Map<string, number>();
  modelTokens(model).forEach((t, i) => modelVocab.set(t, Array.isArray(model.vocab) ? i : Number((model.vocab as Json)[t])));
  let next = modelVocab.size;
  for (const i of modelVocab.values()) if (i >= next) next = i + 1;
  for (const t of added) if (t.id >= next) next = t.id + 1;
  const wanted: SpecialToken[] = [...SPECIAL_TOKEN_NAMES.map((n) => settings.specials[n]).filter((t): t is SpecialToken => t !== null), ...settings.extraSpecials];
  for (const t of wanted) {
    if (added.some((a) => a.content === t.content)) continue;
    const id = modelVocab.get(t.content) ?? next++;
    added.push({ id, content: t.content, single_word: t.singleWord, lstrip: t.lstrip, rstrip: t.rstrip, normalized: t.normalized, special: true } as never);
  }
  return added;
}

function sideOf(v: unknown): Side | undefined {
  return v === 'Left' || v === 'left' ? 'left' : v === 'Right' || v === 'right' ? 'right' : undefined;
}

function build(src: ParsedSources, options: AutoTokenizerOptions): PreTrainedTokenizer {
  const settings = readSettings(src);
  const tj = src.tokenizerJson;
  // transformers takes the padding / truncation direction of tokenizer.json when tokenizer_config sets none
  const padDir = sideOf((tj.padding as Json | null)?.direction);
  if (padDir && src.tokenizerConfig.padding_side == null) settings.paddingSide = padDir;
  const truncDir = sideOf((tj.truncation as Json | null)?.direction);
  if (truncDir && src.tokenizerConfig.truncation_side == null) settings.truncationSide = truncDir;
  const added = withSpecialTokens(tj, settings);
  let template = readPostProcessor(tj.post_processor, src.labels.tokenizerJson);
  const libConfig: Record<string, unknown> = { clean_up_tokenization_spaces: false };
  for (const n of SPECIAL_TOKEN_NAMES) if (settings.specials[n]) libConfig[`${n}_token`] = settings.specials[n]!.content;
  let tok: Tokenizer;
  try {
    tok = new Tokenizer({ normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...tj, added_tokens: added }, libConfig);
  } catch (e) {
    throw new TokenizerConfigError(`${src.labels.tokenizerJson}: @huggingface/tokenizers cannot build this tokenizer (${(e as Error).message})`);
  }
  if (options.useConfigAddBosEos && (settings.addBosToken !== undefined || settings.addEosToken !== undefined)) {
    const ref = (t: SpecialToken | null, on: boolean | undefined) => {
      if (!on || t === null) return null;
      const id = added.find((a) => a.content === t.content)?.id ?? tok.token_to_id(t.content);
      return id === undefined ? null : { id, token: t.content };
    };
    template = bosEosTemplate(ref(settings.specials.bos, settings.addBosToken), ref(settings.specials.eos, settings.addEosToken));
  }
  return new PreTrainedTokenizer(tok, template, settings, tj, added);
}

/**
 * Loads the tokenizer of any Hugging Face checkpoint that has a `tokenizer.json`, and behaves as
 * transformers' `AutoTokenizer` (fast tokenizer) does with it.
 *
 * ```ts
 * import { AutoTokenizer } from '@tfjs-peft/models/tokenizer';
 *
 * // Node: a folder with tokenizer.json (+ tokenizer_config.json, special_tokens_map.json, chat_template.jinja)
 * const tok = await AutoTokenizer.fromPretrained('./Qwen2-0.5B-Instruct');
 * tok.encode('Hello, world!');                      // number[], special tokens included
 * tok.decode(ids, { skipSpecialTokens: true });
 * const batch = tok.encodeBatch(['a', 'longer text'], { padding: true, truncation: true, maxLength: 128 });
 * batch.inputIds; batch.attentionMask;              // number[][], padded on tok.paddingSide
 * tok.applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true }); // ids
 * tok.applyChatTemplate(messages, { tokenize: false });                                    // text
 *
 * // Browser (or any bundle): pass the files' contents
 * const tok2 = AutoTokenizer.fromJSON({ tokenizerJson: await (await fetch(url)).json(), tokenizerConfig });
 * ```
 *
 * Errors: a missing or malformed file or field throws {@link TokenizerConfigError} naming the
 * file, folder and field; a call that cannot be done (padding without a pad token, impossible
 * truncation, no chat template, `raise_exception` in a template) throws {@link TokenizerInputError}.
 */
export class AutoTokenizer {
  /** From a checkpoint folder (path, URL or memory folder) or from the files named one by one. */
  static async fromPretrained(dirOrFiles: FileLocation | TokenizerFiles, options: AutoTokenizerOptions = {}): Promise<PreTrainedTokenizer> {
    const where = typeof dirOrFiles === 'string' ? await resolvePretrained(dirOrFiles, options) : dirOrFiles;
    return build(await readSources(where), options);
  }

  /** From the files' contents (parsed objects or JSON text); no file access. */
  static fromJSON(sources: TokenizerSources, options: AutoTokenizerOptions = {}): PreTrainedTokenizer {
    return build(parseSources(sources), options);
  }
}
