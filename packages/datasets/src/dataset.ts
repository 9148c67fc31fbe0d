/** A map-style dataset: indexed examples (HF `datasets`' map-style access in a small form). */
export class Dataset<T> {
  constructor(private readonly items: readonly T[]) {}
  static from<T>(items: Iterable<T>): Dataset<T> {
    return new Dataset([...items]);
  }
  get length(): number {
    return this.items.length;
  }
  get(i: number): T {
    if (!Number.isInteger(i) || i < 0 || i >= this.items.length) throw new RangeError(`index ${i} outside the dataset (0…${this.items.length - 1})`);
    return this.items[i]!;
  }
  map<U>(f: (x: T, i: number) => U): Dataset<U> {
    return new Dataset(this.items.map(f));
  }
  filter(f: (x: T, i: number) => boolean): Dataset<T> {
    return new Dataset(this.items.filter(f));
  }
  select(indices: readonly number[]): Dataset<T> {
    return new Dataset(indices.map((i) => this.get(i)));
  }
  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }
}

/** mulberry32: a small, fast seeded generator; the state is one 32-bit number (resumable). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates permutation of 0…n−1 from `seed`; the same seed gives the same order everywhere. */
export function permutation(n: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export interface BatchOptions {
  batchSize: number;
  shuffle?: boolean;
  /** the seed of epoch e is `seed + e`, so every epoch has its own, reproducible order */
  seed?: number;
  epoch?: number;
  dropLast?: boolean;
  /**
   * Length bucketing: within windows of `bucketWindow` batches (after shuffling), examples are
   * sorted by `length(x)` so a batch holds similar lengths and pads little; batch order is shuffled again.
   */
  length?: (x: unknown) => number;
  bucketWindow?: number;
}

/** Indices of each batch for one epoch. */
export function batchIndices(n: number, o: BatchOptions): number[][] {
  if (!(o.batchSize >= 1)) throw new RangeError(`batchSize must be ≥ 1, got ${o.batchSize}`);
  const seed = (o.seed ?? 0) + (o.epoch ?? 0);
  let order = o.shuffle ? permutation(n, seed) : Array.from({ length: n }, (_, i) => i);
  const batches: number[][] = [];
  if (o.length) {
    const window = o.batchSize * (o.bucketWindow ?? 50);
    const sorted: number[] = [];
    for (let s = 0; s < order.length; s += window) sorted.push(...order.slice(s, s + window).sort((x, y) => o.length!(x) - o.length!(y)));
    order = sorted;
  }
  for (let s = 0; s < order.length; s += o.batchSize) {
    const b = order.slice(s, s + o.batchSize);
    if (b.length < o.batchSize && o.dropLast) break;
    batches.push(b);
  }
  if (o.length && o.shuffle) {
    const p = permutation(batches.length, seed ^ 0x9e3779b9);
    return p.map((i) => batches[i]!);
  }
  return batches;
}

/** Batches of examples for one epoch: `for (const batch of batches(ds, { batchSize: 32, shuffle: true, seed: 42 }))`. */
export function* batches<T>(ds: Dataset<T>, o: BatchOptions): Generator<T[]> {
  const lengthOf = o.length;
  const idx = batchIndices(ds.length, { ...o, length: lengthOf ? (i) => lengthOf(ds.get(i as number)) : undefined });
  for (const b of idx) yield b.map((i) => ds.get(i));
}
