import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTsvClassification, DataFormatError } from './index';

async function file(text: string): Promise<string> {
  const p = join(await mkdtemp(join(tmpdir(), 'tfjs-peft-tsv-')), 'train.tsv');
  await writeFile(p, text);
  return p;
}

describe('loadTsvClassification', () => {
  it('reads label and text columns by header, numbers labels in sorted order, keeps other columns out', async () => {
    const s = await loadTsvClassification(await file('label\tid\ttext\n1\ta\tbuy now\n0\tb\thello team\n10\tc\tx\n'));
    expect(s.labelNames).toEqual(['0', '1', '10']);
    expect(s.examples).toEqual([
      { idx: 0, textA: 'buy now', textB: null, label: 1 },
      { idx: 1, textA: 'hello team', textB: null, label: 0 },
      { idx: 2, textA: 'x', textB: null, label: 2 },
    ]);
    const named = await loadTsvClassification(await file('sentence1\tsentence2\tlabel\na\tb\tyes\n'), { textPairColumn: 'sentence2', labelNames: ['no', 'yes'] });
    expect(named.examples[0]).toEqual({ idx: 0, textA: 'a', textB: 'b', label: 1 });
  });

  it('names the file, line and what was expected', async () => {
    await expect(loadTsvClassification(await file('label\tbody\n1\tx\n'))).rejects.toThrow(
      /train\.tsv:1: no text column \(text, sentence or sentence1\) in the header; columns: label, body/,
    );
    await expect(loadTsvClassification(await file('label\ttext\n1\tx\n1\n'))).rejects.toThrow(/train\.tsv:3: expected at least 2 tab-separated cells, got 1/);
    await expect(loadTsvClassification(await file('label\ttext\n2\tx\n'), { labelNames: ['0', '1'] })).rejects.toThrow(DataFormatError);
    await expect(loadTsvClassification(await file('label\ttext\n2\tx\n'), { labelNames: ['0', '1'] })).rejects.toThrow(
      /train\.tsv:2: column "label": label "2" is not one of 0, 1/,
    );
  });
});
