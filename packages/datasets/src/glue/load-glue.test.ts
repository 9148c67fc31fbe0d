import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGlue, DataFormatError } from '../index';

const SHARED = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared');
const GLUE_DIR = join(SHARED, 'data/glue');
const hasGlue = existsSync(GLUE_DIR);

const count = (labels: (number | null)[]) => labels.reduce<Record<string, number>>((a, l) => ((a[String(l)] = (a[String(l)] ?? 0) + 1), a), {});

describe.skipIf(!hasGlue)('GLUE loaders on the real files (counts and labels from the data README)', () => {
  it('CoLA (headerless train/dev, headered test)', async () => {
    const train = await loadGlue(GLUE_DIR, 'CoLA', 'train');
    expect(train.examples).toHaveLength(8551);
    expect(count(train.examples.map((e) => e.label))).toEqual({ 1: 6023, 0: 2528 });
    expect(train.examples[0]).toEqual({ idx: 0, textA: "Our friends won't buy this analysis, let alone the next one we propose.", textB: null, label: 1 });
    const test = await loadGlue(GLUE_DIR, 'cola', 'test');
    expect(test.examples).toHaveLength(1063);
    expect(test.examples[0]).toEqual({ idx: 0, textA: 'Bill whistled past the house.', textB: null, label: null });
  });
  it('SST-2, MRPC (BOM, quotes kept), RTE (string labels)', async () => {
    const sst = await loadGlue(GLUE_DIR, 'SST-2', 'dev');
    expect(count(sst.examples.map((e) => e.label))).toEqual({ 1: 444, 0: 428 });
    const mrpc = await loadGlue(GLUE_DIR, 'MRPC', 'dev');
    expect(count(mrpc.examples.map((e) => e.label))).toEqual({ 1: 279, 0: 129 });
    expect(mrpc.examples[0]!.textB!.startsWith('"The foodservice pie business')).toBe(true);
    expect((await loadGlue(GLUE_DIR, 'MRPC', 'train')).examples).toHaveLength(3668);
    const rte = await loadGlue(GLUE_DIR, 'RTE', 'dev');
    expect(rte.labelNames).toEqual(['entailment', 'not_entailment']);
    expect(count(rte.examples.map((e) => e.label))).toEqual({ 0: 146, 1: 131 });
    expect((await loadGlue(GLUE_DIR, 'RTE', 'test')).examples).toHaveLength(3000);
  });
});
describe.skipIf(hasGlue)('GLUE loaders on the real files', () => it.skip(`../shared/data/glue not found (${GLUE_DIR}); real-file GLUE tests skipped`, () => undefined));

describe('GLUE formats of the other tasks (as the GLUE distribution writes them)', () => {
  it('QQP, STS-B (regression), MNLI (matched/mismatched), QNLI, WNLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-glue-'));
    const files: Record<string, string> = {
      'QQP/dev.tsv': 'id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n7\t1\t2\tHow old?\tWhat age?\t1\n',
      'QQP/test.tsv': 'id\tquestion1\tquestion2\n0\tA?\tB?\n',
      'STS-B/dev.tsv':
        'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tmain-captions\tMSRvid\t2012test\t0000\tnone\tnone\tA man plays.\tA man is playing.\t4.750\n',
      'MNLI/dev_matched.tsv':
        'index\tpromptID\tpairID\tgenre\ts1bp\ts2bp\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tgold_label\n0\t1\t1e\tfiction\tx\tx\tx\tx\tHe runs.\tHe moves.\tentailment\tentailment\n',
      'MNLI/dev_mismatched.tsv':
        'index\tpromptID\tpairID\tgenre\ts1bp\ts2bp\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tgold_label\n0\t1\t1n\tletters\tx\tx\tx\tx\tIt rains.\tIt is dry.\tcontradiction\tcontradiction\n',
      'QNLI/dev.tsv': 'index\tquestion\tsentence\tlabel\n0\tWho?\tHe did.\tnot_entailment\n',
      'WNLI/dev.tsv': 'index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\t1\n',
    };
    for (const [f, text] of Object.entries(files)) {
      await mkdir(join(dir, f.split('/')[0]!), { recursive: true });
      await writeFile(join(dir, f), text);
    }
    expect((await loadGlue(dir, 'QQP', 'dev')).examples[0]).toEqual({ idx: 0, textA: 'How old?', textB: 'What age?', label: 1 });
    expect((await loadGlue(dir, 'QQP', 'test')).examples[0]).toEqual({ idx: 0, textA: 'A?', textB: 'B?', label: null });
    const sts = await loadGlue(dir, 'STS-B', 'dev');
    expect(sts.labelNames).toBeNull();
    expect(sts.examples[0]!.label).toBe(4.75);
    expect((await loadGlue(dir, 'MNLI', 'dev_matched')).examples[0]!.label).toBe(1);
    expect((await loadGlue(dir, 'MNLI', 'dev_mismatched')).examples[0]!.label).toBe(0);
    expect((await loadGlue(dir, 'QNLI', 'dev')).examples[0]!.label).toBe(1);
    expect((await loadGlue(dir, 'WNLI', 'dev')).examples[0]!.label).toBe(1);
    await expect(loadGlue(dir, 'MNLI', 'dev')).rejects.toThrow(/GLUE MNLI has no split "dev"; splits: train, dev_matched, dev_mismatched, test_matched, test_mismatched/);
    await expect(loadGlue(dir, 'SQuAD', 'dev')).rejects.toThrow(/unknown GLUE task "SQuAD"/);
  });

  it('a malformed row is an error naming the file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-glue-bad-'));
    await mkdir(join(dir, 'RTE'));
    await writeFile(join(dir, 'RTE/dev.tsv'), 'index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n1\tonly two\n');
    await expect(loadGlue(dir, 'RTE', 'dev')).rejects.toThrow(DataFormatError);
    await expect(loadGlue(dir, 'RTE', 'dev')).rejects.toThrow(/RTE\/dev\.tsv:3: expected at least 4 tab-separated columns, got 2/);
    await writeFile(join(dir, 'RTE/dev.tsv'), 'index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tmaybe\n');
    await expect(loadGlue(dir, 'RTE', 'dev')).rejects.toThrow(/RTE\/dev\.tsv:2: column "label": expected one of entailment, not_entailment, got "maybe"/);
    await mkdir(join(dir, 'STS-B'));
    await writeFile(join(dir, 'STS-B/dev.tsv'), 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tg\tf\ty\to\ts\ts\tA\tB\thigh\n');
    await expect(loadGlue(dir, 'STS-B', 'dev')).rejects.toThrow(/STS-B\/dev\.tsv:2: column "score": expected a decimal number in \[0, 5\], got "high"/);
  });
});
