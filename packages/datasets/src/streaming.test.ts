import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IterableDataset, linesOf } from './index';

describe('IterableDataset (streaming)', () => {
  const numbers = () =>
    new IterableDataset(function* () {
      for (let i = 0; i < 100; i++) yield i;
    });

  it('map, filter, take and batch compose lazily', async () => {
    const b = await numbers()
      .filter((x) => x % 2 === 0)
      .map((x) => x * 10)
      .take(7)
      .batch(3)
      .toArray();
    expect(b).toEqual([[0, 20, 40], [60, 80, 100], [120]]);
    expect(await numbers().take(7).batch(3, true).toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('seeded buffer shuffling: reproducible, a permutation, and different seeds differ', async () => {
    const a = await numbers().shuffle(16, 3).toArray();
    expect(await numbers().shuffle(16, 3).toArray()).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(await numbers().shuffle(16, 4).toArray()).not.toEqual(a);
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(() => numbers().shuffle(0, 1)).toThrow(/bufferSize must be ≥ 1/);
  });

  it('streams the lines of a file, re-opening it for every pass', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-lines-'));
    const file = join(dir, 'corpus.txt');
    await writeFile(file, Array.from({ length: 10_000 }, (_, i) => (i % 100 === 0 ? '' : `line ${i}`)).join('\r\n'));
    const ds = linesOf(file);
    const first = await ds.take(3).toArray();
    expect(first).toEqual(['line 1', 'line 2', 'line 3']);
    let n = 0;
    for await (const b of ds.batch(1000)) n += b.length;
    expect(n).toBe(9_900);
  });
});
