import { TokenizerConfigError, TokenizerInputError } from './errors';
import type { Side } from './settings';

type Json = Record<string, unknown>;

/** Token ids and their strings, kept side by side. */
export interface Pieces {
  ids: number[];
  tokens: string[];
}

/** One sequence after the special tokens were added. */
export interface Processed extends Pieces {
  typeIds: number[];
}

type Piece = { seq: 'A' | 'B'; typeId: number } | { ids: number[]; tokens: string[]; typeId: number };

/** Where the special tokens go around one sequence or a pair (the tokenizer.json `post_processor`). */
export interface SpecialsTemplate {
  single: Piece[];
  pair: Piece[];
}

const PLAIN: SpecialsTemplate = {
  single: [{ seq: 'A', typeId: 0 }],
  pair: [
    { seq: 'A', typeId: 0 },
    { seq: 'B', typeId: 1 },
  ],
};

function tokenPair(v: unknown, where: string, label: string): { ids: number[]; tokens: string[] } {
  if (!Array.isArray(v) || typeof v[0] !== 'string' || !Number.isSafeInteger(v[1])) {
    throw new TokenizerConfigError(`${label}: "${where}" expected [token, id], got ${JSON.stringify(v)}`);
  }
  return { tokens: [v[0] as string], ids: [v[1] as number] };
}

function templatePieces(v: unknown, specials: Json, where: string, label: string): Piece[] {
  if (!Array.isArray(v)) throw new TokenizerConfigError(`${label}: "${where}" expected a list of pieces, got ${JSON.stringify(v)}`);
  return v.map((p: unknown, i) => {
    const o = (p ?? {}) as Json;
    const seq = o.Sequence as Json | undefined;
    const sp = o.SpecialToken as Json | undefined;
    if (seq && (seq.id === 'A' || seq.id === 'B')) return { seq: seq.id, typeId: Number(seq.type_id ?? 0) };
    if (sp && typeof sp.id === 'string') {
      const def = specials[sp.id] as Json | undefined;
      if (!def || !Array.isArray(def.ids) || !Array.isArray(def.tokens)) {
        throw new TokenizerConfigError(`${label}: "${where}[${i}]" names special token ${JSON.stringify(sp.id)}, which "post_processor.special_tokens" does not define`);
      }
      return { ids: def.ids as number[], tokens: def.tokens as string[], typeId: Number(sp.type_id ?? 0) };
    }
    throw new TokenizerConfigError(`${label}: "${where}[${i}]" expected { Sequence: { id: "A" | "B" } } or { SpecialToken: { id } }, got ${JSON.stringify(p)}`);
  });
}

/** The template of a tokenizer.json `post_processor` (TemplateProcessing, Bert, Roberta, ByteLevel, Sequence). */
export function readPostProcessor(pp: unknown, label = 'tokenizer.json', where = 'post_processor'): SpecialsTemplate {
  if (pp == null) return PLAIN;
  const o = pp as Json;
  switch (o.type) {
    case 'ByteLevel':
      return PLAIN;
    case 'TemplateProcessing': {
      const specials = (o.special_tokens ?? {}) as Json;
      return {
        single: templatePieces(o.single, specials, `${where}.single`, label),
        pair: templatePieces(o.pair, specials, `${where}.pair`, label),
      };
    }
    case 'BertProcessing': {
      const cls = tokenPair(o.cls, `${where}.cls`, label);
      const sep = tokenPair(o.sep, `${where}.sep`, label);
      return {
        single: [
          { ...cls, typeId: 0 },
          { seq: 'A', typeId: 0 },
          { ...sep, typeId: 0 },
        ],
        pair: [
          { ...cls, typeId: 0 },
          { seq: 'A', typeId: 0 },
          { ...sep, typeId: 0 },
          { seq: 'B', typeId: 1 },
          { ...sep, typeId: 1 },
        ],
      };
    }
    case 'RobertaProcessing': {
      const cls = tokenPair(o.cls, `${where}.cls`, label);
      const sep = tokenPair(o.sep, `${where}.sep`, label);
      return {
        single: [
          { ...cls, typeId: 0 },
          { seq: 'A', typeId: 0 },
          { ...sep, typeId: 0 },
        ],
        pair: [
          { ...cls, typeId: 0 },
          { seq: 'A', typeId: 0 },
          { ...sep, typeId: 0 },
          { ...sep, typeId: 1 },
          { seq: 'B', typeId: 1 },
          { ...sep, typeId: 1 },
        ],
      };
    }
    case 'Sequence': {
      if (!Array.isArray(o.processors)) throw new TokenizerConfigError(`${label}: "${where}.processors" expected a list, got ${JSON.stringify(o.processors)}`);
      const adding = o.processors.map((p: unknown, i) => readPostProcessor(p, label, `${where}.processors[${i}]`)).filter((t) => t !== PLAIN);
      if (adding.length > 1) throw new TokenizerConfigError(`${label}: "${where}" chains ${adding.length} processors that add special tokens; only one is supported`);
      return adding[0] ?? PLAIN;
    }
    default:
      throw new TokenizerConfigError(
        `${label}: "${where}.type" expected one of TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence, got ${JSON.stringify(o.type)}`,
      );
  }
}

/** The template transformers builds from `add_bos_token` / `add_eos_token` (`update_post_processor`). */
export function bosEosTemplate(bos: { id: number; token: string } | null, eos: { id: number; token: string } | null): SpecialsTemplate {
  const b = (typeId: number): Piece[] => (bos ? [{ ids: [bos.id], tokens: [bos.token], typeId }] : []);
  const e = (typeId: number): Piece[] => (eos ? [{ ids: [eos.id], tokens: [eos.token], typeId }] : []);
  const single = [...b(0), { seq: 'A' as const, typeId: 0 }, ...e(0)];
  return { single, pair: [...single, ...b(1), { seq: 'B', typeId: 1 }, ...e(1)] };
}

/** How many special tokens the template adds to one sequence (`pair` false) or a pair. */
export function numSpecialTokens(t: SpecialsTemplate, pair: boolean): number {
  return (pair ? t.pair : t.single).reduce((n, p) => n + ('ids' in p ? p.ids.length : 0), 0);
}

/** Puts the special tokens around `a` (and `b`); without them, `a` then `b` (token types 0 then 1). */
export function applyTemplate(t: SpecialsTemplate | null, a: Pieces, b: Pieces | null): Processed {
  const pieces = t === null ? (b ? PLAIN.pair : PLAIN.single) : b ? t.pair : t.single;
  const out: Processed = { ids: [], tokens: [], typeIds: [] };
  for (const p of pieces) {
    const src = 'seq' in p ? (p.seq === 'A' ? a : b) : p;
    if (!src) continue;
    out.ids.push(...src.ids);
    out.tokens.push(...src.tokens);
    out.typeIds.push(...src.ids.map(() => p.typeId));
  }
  return out;
}

function cut(p: Pieces, n: number, side: Side): Pieces {
  if (p.ids.length <= n) return p;
  return side === 'left' ? { ids: p.ids.slice(p.ids.length - n), tokens: p.tokens.slice(p.tokens.length - n) } : { ids: p.ids.slice(0, n), tokens: p.tokens.slice(0, n) };
}

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

const TOO_SHORT = 'Truncation error: Sequence to truncate too short to respect the provided max_length';

/**
 * Truncates `a` (and `b`) so they fit `maxLength` tokens, as the Rust `tokenizers` crate does
 * (`truncate_encodings`): `longest_first` gives each sequence half when both are long, else cuts
 * the longer one; `only_first` / `only_second` cut one and fail when it is too short.
 * `seen` are the pair's lengths as the crate compares them (see `lengthSeenByTruncation`).
 */
export function truncatePair(
  a: Pieces,
  b: Pieces | null,
  maxLength: number,
  strategy: TruncationStrategy,
  side: Side,
  seen: [number, number] | null = null,
): [Pieces, Pieces | null] {
  if (maxLength <= 0) return [{ ids: [], tokens: [] }, b && { ids: [], tokens: [] }];
  const total = a.ids.length + (b?.ids.length ?? 0);
  if (total <= maxLength) return [a, b];
  const toRemove = total - maxLength;
  if (strategy === 'longest_first') {
    if (!b) return [cut(a, maxLength, side), null];
    let [n1, n2] = seen ?? [a.ids.length, b.ids.length];
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
    if (n1 + n2 > maxLength) {
      n1 = Math.floor(maxLength / 2);
      n2 = n1 + (maxLength % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    return [cut(a, n1, side), cut(b, n2, side)];
  }
  const first = strategy === 'only_first';
  if (!first && !b) throw new TokenizerInputError(`Truncation error: Second sequence not provided (truncation 'only_second' needs pairs)`);
  const target = first ? a : b!;
  if (target.ids.length <= toRemove) {
    throw new TokenizerInputError(`${TOO_SHORT} (truncation '${strategy}', max_length ${maxLength} without special tokens, ${toRemove} tokens to remove)`);
  }
  const kept = cut(target, target.ids.length - toRemove, side);
  return first ? [kept, b] : [a, kept];
}
