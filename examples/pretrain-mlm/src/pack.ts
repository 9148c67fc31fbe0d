/**
 * Packing for masked-LM pretraining: every line is tokenized once, and each epoch streams the
 * lines (in that epoch's seeded order) into full-length blocks `[CLS] … [SEP] … [SEP]` of exactly
 * `seq` tokens — documents separated by `[SEP]`, a long one continued in the next block — so no
 * position of a step is padding (RoBERTa's FULL-SENTENCES input, without the cut at documents).
 * On short lines (dictionary glosses, GLUE sentences) padding to the longest line of a batch wastes
 * most of each step; packed, every token is trained on.
 */
import { permutation } from '@tfjs-peft/datasets';

/** Token ids of many documents, flat, with offsets: ~4 bytes a token instead of a JS array each. */
export interface TokenizedCorpus {
  ids: Int32Array;
  /** document d is ids[offsets[d] .. offsets[d + 1]) */
  offsets: Int32Array;
}

export function tokenizeCorpus(lines: string[], encode: (batch: string[]) => number[][], chunk = 2048): TokenizedCorpus {
  const parts: number[][] = [];
  let total = 0;
  for (let i = 0; i < lines.length; i += chunk) {
    for (const row of encode(lines.slice(i, i + chunk))) {
      parts.push(row);
      total += row.length;
    }
  }
  const ids = new Int32Array(total);
  const offsets = new Int32Array(parts.length + 1);
  let o = 0;
  parts.forEach((row, d) => {
    ids.set(row, o);
    o += row.length;
    offsets[d + 1] = o;
  });
  return { ids, offsets };
}

export interface PackOptions {
  seq: number;
  clsId: number;
  sepId: number;
}

/** How many blocks an epoch yields (the last partial block is dropped). */
export function blocksPerEpoch(c: TokenizedCorpus, o: PackOptions): number {
  const docs = c.offsets.length - 1;
  return Math.floor((c.ids.length + docs) / (o.seq - 1));
}

/**
 * The blocks of one epoch: documents in `order` (default: all in corpus order), each followed by
 * `[SEP]`, cut into `seq − 1` tokens behind a `[CLS]`. Deterministic for a given order.
 */
export function* packBlocks(c: TokenizedCorpus, o: PackOptions, order?: ArrayLike<number>): Generator<Int32Array> {
  if (o.seq < 2) throw new RangeError(`packBlocks: seq must be at least 2, got ${o.seq}`);
  const n = order ? order.length : c.offsets.length - 1;
  let block = new Int32Array(o.seq);
  block[0] = o.clsId;
  let fill = 1;
  for (let k = 0; k < n; k++) {
    const d = order ? order[k]! : k;
    const start = c.offsets[d]!;
    const end = c.offsets[d + 1]!;
    for (let i = start; i <= end; i++) {
      block[fill++] = i < end ? c.ids[i]! : o.sepId;
      if (fill === o.seq) {
        yield block;
        block = new Int32Array(o.seq);
        block[0] = o.clsId;
        fill = 1;
      }
    }
  }
}

/** The seeded document order of an epoch: a new shuffle each epoch, the same on every run. */
export function epochOrder(c: TokenizedCorpus, seed: number, epoch: number): number[] {
  return permutation(c.offsets.length - 1, seed * 7919 + epoch * 104729 + 1);
}

/** Groups blocks into batches of `batchSize` (the last partial batch is dropped). */
export function* batchBlocks(blocks: Iterable<Int32Array>, batchSize: number): Generator<Int32Array[]> {
  let b: Int32Array[] = [];
  for (const x of blocks) {
    b.push(x);
    if (b.length === batchSize) {
      yield b;
      b = [];
    }
  }
}
