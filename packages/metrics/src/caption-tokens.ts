/** Punctuation tokens pycocoevalcap's PTB tokenizer step drops. */
const PUNCT = new Set(["''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-', '.', '?', '!', ',', ':', '-', '--', '...', ';']);

/**
 * Tokens of a caption or report the way the COCO caption evaluation sees them: lower case,
 * punctuation split off and dropped (pycocoevalcap runs the Stanford PTB tokenizer, a Java program;
 * this is a JavaScript approximation — identical on plain-word text, possibly different on
 * contractions and numbers with separators).
 */
export function captionTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/([.,!?;:()"`]|--|\.\.\.)/g, ' $1 ')
    .replace(/(\w)-(\s|$)/g, '$1 - ')
    .split(/\s+/)
    .filter((t) => t.length > 0 && !PUNCT.has(t) && !/^[()"]$/.test(t));
}

/** n-gram counts (n = 1..maxN) of a token list, keyed by the n-gram joined with spaces. */
export function ngramCounts(tokens: string[], maxN: number): Map<string, number>[] {
  const out = Array.from({ length: maxN }, () => new Map<string, number>());
  for (let n = 1; n <= maxN; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const g = tokens.slice(i, i + n).join(' ');
      out[n - 1]!.set(g, (out[n - 1]!.get(g) ?? 0) + 1);
    }
  }
  return out;
}

export type TokenizedCorpus = { candidates: string[][]; references: string[][][] };

/** Checks a candidates/references pair (one candidate and ≥ 1 references per item) and tokenizes it. */
export function tokenizeCorpus(name: string, candidates: string[], references: string[][], tokenize: (s: string) => string[] = captionTokens): TokenizedCorpus {
  if (candidates.length !== references.length) throw new RangeError(`${name}: ${candidates.length} candidates but ${references.length} reference lists`);
  if (!candidates.length) throw new RangeError(`${name}: no items`);
  references.forEach((r, i) => {
    if (!Array.isArray(r) || !r.length) throw new RangeError(`${name}: item ${i} has no reference`);
  });
  return { candidates: candidates.map(tokenize), references: references.map((rs) => rs.map(tokenize)) };
}
