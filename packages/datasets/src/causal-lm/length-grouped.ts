import { permutation } from '../dataset';
import { CausalLmInputError, checkInt } from './errors';

export interface LengthGroupedOptions {
  batchSize: number;
  /** the permutation's seed; epoch e uses `seed + e` (default 0) */
  seed?: number;
  epoch?: number;
  /** mega-batch size in batches; default transformers': min(⌊n / (4 · batchSize)⌋, 50), at least 1 */
  megaBatchMult?: number;
  /** drop the last batch when it is short */
  dropLast?: boolean;
}

const WHERE = 'lengthGroupedBatches';

function checkLengths(where: string, lengths: readonly number[]): void {
  if (!Array.isArray(lengths)) throw new CausalLmInputError(where, null, 'lengths', `expected a list of lengths, got ${typeof lengths}`);
  lengths.forEach((l, i) => {
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) throw new CausalLmInputError(where, i, 'length', `expected a finite number ≥ 0, got ${JSON.stringify(l)}`);
  });
}

/**
 * transformers' `get_length_grouped_indices` (what `LengthGroupedSampler` iterates), on a given
 * random order of 0…n−1: the order is cut into mega-batches of `megaBatchMult · batchSize`, each
 * sorted by decreasing length (stable), and the longest example overall is swapped to the front so
 * an out-of-memory shows in the first batch. `order` is `torch.randperm` in transformers; here any
 * permutation (by default {@link permutation} of `seed`).
 */
export function lengthGroupedIndices(lengths: readonly number[], batchSize: number, options: { order?: readonly number[]; seed?: number; megaBatchMult?: number } = {}): number[] {
  const where = 'lengthGroupedIndices';
  checkLengths(where, lengths);
  checkInt(where, 'batchSize', batchSize, 1);
  const n = lengths.length;
  const order = options.order ?? permutation(n, options.seed ?? 0);
  const seen = new Uint8Array(n);
  if (!Array.isArray(order) || order.length !== n || order.some((i) => !Number.isInteger(i) || i < 0 || i >= n || seen[i]!++ > 0)) {
    throw new CausalLmInputError(where, null, 'order', `expected a permutation of 0…${n - 1}, got ${JSON.stringify(order).slice(0, 80)}`);
  }
  if (n === 0) return [];
  const mult = options.megaBatchMult === undefined ? Math.max(1, Math.min(Math.floor(n / (batchSize * 4)), 50)) : checkInt(where, 'megaBatchMult', options.megaBatchMult, 1);
  const size = mult * batchSize;
  const megas: number[][] = [];
  for (let s = 0; s < n; s += size) megas.push(order.slice(s, s + size).sort((a, b) => lengths[b]! - lengths[a]!));
  let maxIdx = 0;
  megas.forEach((m, k) => {
    if (lengths[m[0]!]! > lengths[megas[maxIdx]![0]!]!) maxIdx = k;
  });
  [megas[0]![0], megas[maxIdx]![0]] = [megas[maxIdx]![0]!, megas[0]![0]!];
  return megas.flat();
}

/**
 * A length-grouped batch sampler: index batches of similar lengths (so they pad little), from
 * {@link lengthGroupedIndices} on a seeded permutation, `batchSize` consecutive indices per batch.
 *
 * ```ts
 * const tokenized = formatChat(tokenizer, examples);
 * for (const idx of lengthGroupedBatches(tokenized.map((e) => e.inputIds.length), { batchSize: 8, seed: 42, epoch })) {
 *   const batch = collateCausalLm(idx.map((i) => tokenized[i]), { padTokenId: tokenizer.padTokenId });
 * }
 * ```
 */
export function lengthGroupedBatches(lengths: readonly number[], options: LengthGroupedOptions): number[][] {
  if (options === null || typeof options !== 'object') throw new CausalLmInputError(WHERE, null, 'options', `expected { batchSize, seed? }, got ${JSON.stringify(options)}`);
  const batchSize = checkInt(WHERE, 'batchSize', options.batchSize, 1);
  checkLengths(WHERE, lengths);
  const seed = (options.seed ?? 0) + (options.epoch ?? 0);
  const flat = lengthGroupedIndices(lengths, batchSize, { seed, ...(options.megaBatchMult !== undefined ? { megaBatchMult: options.megaBatchMult } : {}) });
  const out: number[][] = [];
  for (let s = 0; s < flat.length; s += batchSize) {
    const b = flat.slice(s, s + batchSize);
    if (b.length < batchSize && options.dropLast) break;
    out.push(b);
  }
  return out;
}
