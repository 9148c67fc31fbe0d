import * as tf from '@tensorflow/tfjs-core';
import { Tokenizer } from '@huggingface/tokenizers';
import { exists, joinPath, readText, resolvePretrained, type FileLocation, type HubOptions } from '@tfjs-peft/core';
import { ConfigError } from '../common/config';

export type Truncation = boolean | 'longest_first' | 'only_first' | 'only_second';
export type Padding = boolean | 'longest' | 'max_length';

export interface TokenizeOptions {
  /** pad to the longest sequence (`true`/'longest') or to `maxLength` ('max_length') */
  padding?: Padding;
  truncation?: Truncation;
  /** default: the tokenizer's model_max_length when truncating or padding to max length */
  maxLength?: number;
  addSpecialTokens?: boolean;
}

export interface BatchEncoding {
  inputIds: number[][];
  tokenTypeIds: number[][];
  attentionMask: number[][];
}

export interface TensorEncoding {
  inputIds: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
}

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** The tokenizer.json that transformers' BertTokenizerFast builds from a vocab.txt. */
function bertTokenizerJson(vocab: string[], lowercase: boolean, extra: string[]): Record<string, unknown> {
  const map: Record<string, number> = {};
  vocab.forEach((t, i) => {
    if (!(t in map)) map[t] = i;
  });
  const added = [...SPECIALS, ...extra].filter((t) => t in map || extra.includes(t));
  let next = vocab.length;
  for (const t of extra) if (!(t in map)) map[t] = next++;
  for (const s of SPECIALS) if (!(s in map)) throw new ConfigError(`vocab.txt: special token ${s} is missing`);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map((content) => ({ id: map[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: map },
  };
}

/**
 * BERT WordPiece tokenization as transformers' `BertTokenizerFast`: from `tokenizer.json` (run by
 * `@huggingface/tokenizers`) or from `vocab.txt` (the same pipeline built here). HF special tokens,
 * sentence pairs (`[CLS] A [SEP] B [SEP]`, token types 0/1), truncation strategies, padding, and
 * extra special tokens such as BLIP's `[DEC]`/`[ENC]`.
 */
export class BertTokenizer {
  readonly modelMaxLength: number;
  private readonly idToTokenMap: Map<number, string>;

  private constructor(
    private readonly tok: Tokenizer,
    private readonly vocab: Map<string, number>,
    modelMaxLength: number,
  ) {
    this.modelMaxLength = modelMaxLength;
    this.idToTokenMap = new Map([...vocab].map(([t, i]) => [i, t]));
  }

  /** From the lines of a `vocab.txt`. `extraSpecialTokens` are appended after the vocabulary. */
  static fromVocab(vocabText: string, options: { doLowerCase?: boolean; extraSpecialTokens?: string[]; modelMaxLength?: number } = {}): BertTokenizer {
    const vocab = vocabText.split('\n');
    if (vocab[vocab.length - 1] === '') vocab.pop();
    const json = bertTokenizerJson(
      vocab.map((l) => l.replace(/\r$/, '')),
      options.doLowerCase ?? true,
      options.extraSpecialTokens ?? [],
    );
    const tok = new Tokenizer(json, { do_lower_case: options.doLowerCase ?? true });
    return new BertTokenizer(tok, new Map(Object.entries((json.model as { vocab: Record<string, number> }).vocab)), options.modelMaxLength ?? 512);
  }

  /** From a parsed `tokenizer.json` (+ `tokenizer_config.json`), as saved by transformers. */
  static fromJson(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown> = {}, extraSpecialTokens: string[] = []): BertTokenizer {
    const model = tokenizerJson.model as { type?: string; vocab?: Record<string, number> } | undefined;
    if (model?.type !== 'WordPiece' || !model.vocab) throw new ConfigError(`tokenizer.json: expected a WordPiece model, got ${JSON.stringify(model?.type)}`);
    const vocab = new Map(Object.entries(model.vocab));
    const addedTokens = [...((tokenizerJson.added_tokens as { id: number; content: string }[]) ?? [])];
    for (const t of addedTokens) vocab.set(t.content, t.id);
    let next = Math.max(...vocab.values()) + 1;
    for (const t of extraSpecialTokens) {
      if (vocab.has(t)) continue;
      vocab.set(t, next);
      addedTokens.push({ id: next++, content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true } as never);
    }
    const json = { ...tokenizerJson, added_tokens: addedTokens, post_processor: null, truncation: null, padding: null };
    const max = typeof tokenizerConfig.model_max_length === 'number' && tokenizerConfig.model_max_length < 1e9 ? tokenizerConfig.model_max_length : 512;
    return new BertTokenizer(new Tokenizer(json, tokenizerConfig), vocab, max);
  }

  /** From a checkpoint folder: `tokenizer.json` when present, else `vocab.txt` (+ `tokenizer_config.json`). */
  static async fromPretrained(nameOrPath: FileLocation, options: { extraSpecialTokens?: string[] } & HubOptions = {}): Promise<BertTokenizer> {
    const dir = await resolvePretrained(nameOrPath, options);
    const readJson = async (path: FileLocation): Promise<Record<string, unknown>> => {
      const { text, label } = await readText(path);
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch (e) {
        throw new ConfigError(`${label}: not valid JSON (${(e as Error).message})`);
      }
    };
    const cfgPath = joinPath(dir, 'tokenizer_config.json');
    const config = (await exists(cfgPath)) ? await readJson(cfgPath) : {};
    const jsonPath = joinPath(dir, 'tokenizer.json');
    if (await exists(jsonPath)) return BertTokenizer.fromJson(await readJson(jsonPath), config, options.extraSpecialTokens);
    const vocabPath = joinPath(dir, 'vocab.txt');
    if (!(await exists(vocabPath))) throw new ConfigError(`${String(dir)}: neither tokenizer.json nor vocab.txt found`);
    const max = typeof config.model_max_length === 'number' && config.model_max_length < 1e9 ? config.model_max_length : 512;
    return BertTokenizer.fromVocab((await readText(vocabPath)).text, {
      doLowerCase: config.do_lower_case !== false,
      extraSpecialTokens: options.extraSpecialTokens,
      modelMaxLength: max,
    });
  }

  get vocabSize(): number {
    return this.vocab.size;
  }
  tokenToId(token: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new RangeError(`token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }
  idToToken(id: number): string | undefined {
    return this.idToTokenMap.get(id);
  }
  get padTokenId(): number {
    return this.tokenToId('[PAD]');
  }
  get clsTokenId(): number {
    return this.tokenToId('[CLS]');
  }
  get sepTokenId(): number {
    return this.tokenToId('[SEP]');
  }
  get maskTokenId(): number {
    return this.tokenToId('[MASK]');
  }
  get unkTokenId(): number {
    return this.tokenToId('[UNK]');
  }

  /** Word pieces of a text, without special tokens. */
  tokenize(text: string): string[] {
    return this.tok.tokenize(text, { add_special_tokens: false });
  }

  private pieces(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids.map(Number);
  }

  /** One text or pair → ids, token types and mask (HF `__call__` on a single input). */
  encode(text: string, pair?: string | null, options: TokenizeOptions = {}): { inputIds: number[]; tokenTypeIds: number[]; attentionMask: number[] } {
    const b = this.encodeBatch([pair == null ? text : [text, pair]], options);
    return { inputIds: b.inputIds[0]!, tokenTypeIds: b.tokenTypeIds[0]!, attentionMask: b.attentionMask[0]! };
  }

  /**
   * A batch of texts or `[text, pair]`s, truncated and padded (right) as transformers does. One
   * string is a batch of one (as transformers' `tokenizer(text, return_tensors=...)`); a list of two
   * strings is two texts, a pair is `[[text, pair]]`.
   */
  encodeBatch(inputs: string | (string | [string, string])[], options: TokenizeOptions = {}): BatchEncoding {
    if (typeof inputs === 'string') inputs = [inputs];
    if (!Array.isArray(inputs)) throw new TypeError(`encodeBatch: expected a text or a list of texts or [text, pair]s, got ${inputs === null ? 'null' : typeof inputs}`);
    const addSpecial = options.addSpecialTokens ?? true;
    const trunc: Truncation = options.truncation ?? false;
    const maxLength = options.maxLength ?? this.modelMaxLength;
    const rows = inputs.map((inp) => {
      const [a, b] = typeof inp === 'string' ? [inp, null] : inp;
      let ia = this.pieces(a);
      let ib = b == null ? null : this.pieces(b);
      if (trunc) {
        const special = addSpecial ? (ib ? 3 : 2) : 0;
        let excess = ia.length + (ib?.length ?? 0) + special - maxLength;
        const strategy = trunc === true ? 'longest_first' : trunc;
        while (excess > 0) {
          if (strategy === 'only_second' || (strategy === 'longest_first' && ib && ib.length > ia.length)) {
            if (!ib || ib.length === 0) throw new RangeError(`truncation '${strategy}': the second sequence is too short to remove ${excess} tokens`);
            ib = ib.slice(0, -1);
          } else {
            if (ia.length === 0) throw new RangeError(`truncation '${strategy}': the first sequence is too short to remove ${excess} tokens`);
            ia = ia.slice(0, -1);
          }
          excess--;
        }
      }
      const ids = addSpecial ? [this.clsTokenId, ...ia, this.sepTokenId, ...(ib ? [...ib, this.sepTokenId] : [])] : [...ia, ...(ib ?? [])];
      const firstLen = addSpecial ? ia.length + 2 : ia.length;
      return { ids, types: ids.map((_, i) => (i < firstLen ? 0 : 1)) };
    });
    const pad = options.padding ?? false;
    const target = pad === 'max_length' ? maxLength : pad ? Math.max(...rows.map((r) => r.ids.length)) : 0;
    return {
      inputIds: rows.map((r) => [...r.ids, ...Array(Math.max(0, target - r.ids.length)).fill(this.padTokenId)]),
      tokenTypeIds: rows.map((r) => [...r.types, ...Array(Math.max(0, target - r.types.length)).fill(0)]),
      attentionMask: rows.map((r) => [...r.ids.map(() => 1), ...Array(Math.max(0, target - r.ids.length)).fill(0)]),
    };
  }

  /** `encodeBatch` as `[B, T]` int32 tensors (padding defaults to 'longest'); one string gives `[1, T]`. */
  encodeToTensors(inputs: string | (string | [string, string])[], options: TokenizeOptions = {}): TensorEncoding {
    const e = this.encodeBatch(inputs, { padding: 'longest', ...options });
    const lens = new Set(e.inputIds.map((r) => r.length));
    if (lens.size > 1) throw new RangeError('encodeToTensors: rows differ in length; pass padding');
    const shape: [number, number] = [e.inputIds.length, e.inputIds[0]?.length ?? 0];
    return {
      inputIds: tf.tensor2d(e.inputIds.flat(), shape, 'int32'),
      tokenTypeIds: tf.tensor2d(e.tokenTypeIds.flat(), shape, 'int32'),
      attentionMask: tf.tensor2d(e.attentionMask.flat(), shape, 'int32'),
    };
  }

  /** Text from ids; `skipSpecialTokens` drops [CLS]/[SEP]/[PAD]/… and added special tokens. */
  decode(ids: number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return this.tok.decode(ids, { skip_special_tokens: options.skipSpecialTokens ?? false });
  }
}
