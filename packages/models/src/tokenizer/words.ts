import type { Tokenizer } from '@huggingface/tokenizers';

/** The parts of `@huggingface/tokenizers`' Tokenizer that `encode` runs, text → words → tokens. */
interface Pipeline {
  splitter_unnormalized: { split(text: string): string[] };
  splitter_normalized: { split(text: string): string[] };
  added_tokens_map: Map<string, { lstrip: boolean; rstrip: boolean }>;
  normalizer: ((text: string) => string) | null;
  pre_tokenizer: ((text: string, options: { section_index: number }) => string[]) | null;
  model: (words: string[]) => string[];
}

function stripAround(parts: string[], added: Pipeline['added_tokens_map']): void {
  parts.forEach((p, i) => {
    const t = added.get(p);
    if (!t) return;
    if (t.lstrip && i > 0) parts[i - 1] = parts[i - 1]!.trimEnd();
    if (t.rstrip && i < parts.length - 1) parts[i + 1] = parts[i + 1]!.trimStart();
  });
}

function splitBefore(word: string, mark: string): string[] {
  const parts = word.split(mark);
  const out = parts[0] === '' ? [] : [parts[0]!];
  for (const part of parts.slice(1)) out.push(mark + part);
  return out;
}

/**
 * The replacement character when the tokenizer.json pre-tokenizer is a splitting `Metaspace`
 * (which the library runs without splitting; the Rust crate splits before each replacement).
 */
export function metaspaceSplitChar(preTokenizer: unknown): string | null {
  const o = preTokenizer as { type?: unknown; split?: unknown; replacement?: unknown; pretokenizers?: unknown } | null;
  if (o === null || typeof o !== 'object') return null;
  if (o.type === 'Metaspace') return o.split === false ? null : typeof o.replacement === 'string' ? o.replacement : '\u2581';
  if (o.type === 'Sequence' && Array.isArray(o.pretokenizers)) {
    for (const p of o.pretokenizers) {
      const c = metaspaceSplitChar(p);
      if (c !== null) return c;
    }
  }
  return null;
}

/**
 * How many tokens each word (pre-token, or added token) of `text` becomes, in order, following
 * the same steps as the library's `encode`. Returns null when the library's internals are not
 * as expected, or when the counts do not add up to `total` (the caller then uses whole lengths).
 */
export function wordLengths(tok: Tokenizer, text: string, total: number, metaspaceSplit: string | null = null): number[] | null {
  const p = tok as unknown as Pipeline;
  if (
    typeof p.splitter_unnormalized?.split !== 'function' ||
    typeof p.splitter_normalized?.split !== 'function' ||
    !(p.added_tokens_map instanceof Map) ||
    typeof p.model !== 'function'
  ) {
    return null;
  }
  const out: number[] = [];
  const sections = p.splitter_unnormalized.split(text);
  stripAround(sections, p.added_tokens_map);
  sections.forEach((section, sectionIndex) => {
    if (section.length === 0) return;
    if (p.added_tokens_map.has(section)) return void out.push(1);
    const normalized = p.normalizer ? p.normalizer(section) : section;
    if (normalized.length === 0) return;
    const subs = p.splitter_normalized.split(normalized);
    stripAround(subs, p.added_tokens_map);
    for (const sub of subs) {
      if (sub.length === 0) continue;
      if (p.added_tokens_map.has(sub)) {
        out.push(1);
        continue;
      }
      const words = p.pre_tokenizer ? p.pre_tokenizer(sub, { section_index: sectionIndex }) : [sub];
      for (const w of metaspaceSplit === null ? words : words.flatMap((x) => splitBefore(x, metaspaceSplit))) out.push(p.model([w]).length);
    }
  });
  return out.reduce((a, b) => a + b, 0) === total ? out : null;
}

/**
 * The length of a sequence as the Rust `tokenizers` crate (0.23) sees it when truncating a pair:
 * with truncation on, it stops tokenizing at the first word boundary at or past `maxLength`
 * (counted from the end when truncating on the left), and `longest_first` then splits the budget
 * by these lengths.
 */
export function lengthSeenByTruncation(lengths: number[] | null, total: number, maxLength: number, side: 'left' | 'right'): number {
  if (lengths === null || total < maxLength) return total;
  const order = side === 'left' ? [...lengths].reverse() : lengths;
  let sum = 0;
  for (const n of order) {
    sum += n;
    if (sum >= maxLength) return sum;
  }
  return sum;
}
