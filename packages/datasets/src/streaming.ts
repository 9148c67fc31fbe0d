import { seededRandom } from './dataset';

type Source<T> = () => AsyncIterable<T> | Iterable<T>;

/**
 * A streaming dataset: examples produced on demand from a source that can be re-opened per epoch
 * (a file read line by line, a generator), for corpora that should not sit in memory. Shuffling
 * uses a seeded buffer, as `datasets`' `IterableDataset.shuffle(buffer_size, seed)`.
 */
export class IterableDataset<T> implements AsyncIterable<T> {
  constructor(private readonly source: Source<T>) {}

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* this.source() as AsyncIterable<T>;
  }

  map<U>(f: (x: T) => U): IterableDataset<U> {
    const self = this;
    return new IterableDataset(async function* () {
      for await (const x of self) yield f(x);
    });
  }

  filter(f: (x: T) => boolean): IterableDataset<T> {
    const self = this;
    return new IterableDataset(async function* () {
      for await (const x of self) if (f(x)) yield x;
    });
  }

  take(n: number): IterableDataset<T> {
    const self = this;
    return new IterableDataset(async function* () {
      if (n <= 0) return;
      let i = 0;
      for await (const x of self) {
        yield x;
        if (++i >= n) return;
      }
    });
  }

  /** Fills a buffer of `bufferSize`, then yields a random element of it (seeded) for each new one. */
  shuffle(bufferSize: number, seed: number): IterableDataset<T> {
    if (!(bufferSize >= 1)) throw new RangeError(`shuffle: bufferSize must be ≥ 1, got ${bufferSize}`);
    const self = this;
    return new IterableDataset(async function* () {
      const rand = seededRandom(seed);
      const buf: T[] = [];
      for await (const x of self) {
        if (buf.length < bufferSize) {
          buf.push(x);
          continue;
        }
        const i = Math.floor(rand() * bufferSize);
        yield buf[i]!;
        buf[i] = x;
      }
      while (buf.length) yield buf.splice(Math.floor(rand() * buf.length), 1)[0]!;
    });
  }

  batch(size: number, dropLast = false): IterableDataset<T[]> {
    if (!(size >= 1)) throw new RangeError(`batch: size must be ≥ 1, got ${size}`);
    const self = this;
    return new IterableDataset(async function* () {
      let b: T[] = [];
      for await (const x of self) {
        b.push(x);
        if (b.length === size) {
          yield b;
          b = [];
        }
      }
      if (b.length && !dropLast) yield b;
    });
  }

  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const x of this) out.push(x);
    return out;
  }
}

/** The non-empty lines of a text file (Node), read as a stream. */
export function linesOf(path: string): IterableDataset<string> {
  return new IterableDataset(async function* () {
    const { createReadStream } = await import('node:fs');
    const { createInterface } = await import('node:readline');
    const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of rl) if (line.trim()) yield line;
  });
}
