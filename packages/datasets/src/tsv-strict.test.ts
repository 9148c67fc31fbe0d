/**
 * Strict cell parsing in the GLUE and generic TSV loaders: named bad inputs (error class, file,
 * line, column, expectation), the exact accepted grammar as properties, and a character-mutation
 * suite whose outcomes (clean error / accepted / crash) are counted and logged per parser.
 * `FC_SEED` / `FC_RUNS` override the seed and the number of runs.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGlue, loadTsvClassification, DataFormatError, type GlueSplit } from './index';

const SEED = Number(process.env.FC_SEED ?? 20261203);
const RUNS = Number(process.env.FC_RUNS ?? 400);

const STSB_HEAD = 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n';
const sts = (score: string) => `${STSB_HEAD}0\tg\tf\ty\t0000\ts\ts\tA man plays.\tA man is playing.\t4.750\n1\tg\tf\ty\t0001\ts\ts\tA\tB\t${score}\n`;
const QQP_TEST_HEAD = 'id\tquestion1\tquestion2\n';
const qqpTest = (id: string) => `${QQP_TEST_HEAD}0\tA?\tB?\n${id}\tC?\tD?\n`;
const cola = (label: string) => `gj04\t1\t\tOur friends won't buy this.\ngj04\t${label}\t*\tThey drank the pub.\n`;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-strict-'));
  for (const t of ['STS-B', 'QQP', 'CoLA', 'MNLI', 'generic']) await mkdir(join(dir, t));
});
const glue = async (task: string, split: string, text: string) => {
  await writeFile(join(dir, task, `${split}.tsv`), text);
  return loadGlue(dir, task, split);
};
const generic = async (text: string, o?: Parameters<typeof loadTsvClassification>[1]) => {
  await writeFile(join(dir, 'generic', 'train.tsv'), text);
  return loadTsvClassification(join(dir, 'generic', 'train.tsv'), o);
};
async function failure(p: Promise<unknown>): Promise<DataFormatError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataFormatError);
  return e as DataFormatError;
}

describe('GLUE loaders parse labels, scores and ids strictly', () => {
  it.each(['0x10', '1e0', '-0.5', '5.01', '7', 'NaN', 'Infinity', '', ' 4.5', '4.5 ', '+3', '4,5', '.', '3..1'])(
    'STS-B score %j is a DataFormatError naming file, line and column',
    async (score) => {
      const e = await failure(glue('STS-B', 'dev', sts(score)));
      expect([e.file.endsWith('dev.tsv'), e.line, e.column]).toEqual([true, 3, 'score']);
      expect(e.message).toMatch(
        new RegExp(
          `STS-B[\\\\/]dev\\.tsv:3: column "score": expected a decimal number in \\[0, 5\\], got ${score === '' ? 'an empty cell' : JSON.stringify(score).replace(/[.+]/g, '\\$&')}$`,
        ),
      );
    },
  );
  it.each([
    ['0', 0],
    ['5', 5],
    ['5.000', 5],
    ['0.000', 0],
    ['3.', 3],
    ['.25', 0.25],
    ['04.5', 4.5],
  ])('STS-B score %j is %d', async (score, v) => {
    expect((await glue('STS-B', 'dev', sts(score))).examples[1]!.label).toBe(v);
  });

  it.each(['0x10', 'NaN', '1e3', '', '-1', '1.5', ' 7', '7 ', '9007199254740993', '٣'])('test-file id %j is a DataFormatError (was Number()-parsed)', async (id) => {
    const e = await failure(glue('QQP', 'test', qqpTest(id)));
    expect([e.line, e.column]).toEqual([3, 'id']);
    expect(e.message).toMatch(/QQP[\\/]test\.tsv:3: column "id": expected a non-negative decimal integer index, got /);
  });
  it('test-file ids keep their values (leading zeros allowed, as GLUE writes old_index)', async () => {
    expect((await glue('QQP', 'test', qqpTest('0016'))).examples.map((x) => x.idx)).toEqual([0, 16]);
  });

  it.each(['0x1', '1.0', ' 1', '1 ', '01', '+1', '2', ''])('CoLA (headerless) label %j names column 2 and the expected labels', async (label) => {
    const e = await failure(glue('CoLA', 'train', cola(label)));
    expect(e.message).toBe(`${e.file}:2: column "2": expected one of 0, 1, got ${JSON.stringify(label)}`);
  });
  it('MNLI labels are exact (no trimming into a class)', async () => {
    const head = 'index\tpromptID\tpairID\tgenre\ts1bp\ts2bp\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tgold_label\n';
    const e = await failure(glue('MNLI', 'dev_matched', `${head}0\t1\t1e\tfiction\tx\tx\tx\tx\tA.\tB.\tentailment\tentailment \n`));
    expect(e.message).toMatch(/dev_matched\.tsv:2: column "gold_label": expected one of contradiction, entailment, neutral, got "entailment "$/);
  });
});

describe('loadTsvClassification parses inferred numeric labels strictly', () => {
  it.each(['0x10', '1e1', '1.0', ' 1', '01', 'NaN', '-', '2 '])('label %j among decimal integers is a DataFormatError naming the line and column', async (bad) => {
    const e = await failure(generic(`label\ttext\n1\ta\n0\tb\n${bad}\tc\n`));
    expect([e.line, e.column]).toEqual([4, 'label']);
    expect(e.message).toBe(`${e.file}:4: column "label": expected a decimal integer label (the column holds integers, e.g. "1" on line 2), got ${JSON.stringify(bad)}`);
  });
  it('an empty label is an error; string labels and negative integers still work', async () => {
    expect((await failure(generic('label\ttext\nspam\ta\n\tb\n'))).message).toMatch(/train\.tsv:3: column "label": expected a label, got an empty cell$/);
    expect((await generic('label\ttext\nspam\ta\nham\tb\n1e3\tc\n')).labelNames).toEqual(['1e3', 'ham', 'spam']);
    expect((await generic('label\ttext\n-1\ta\n10\tb\n2\tc\n')).labelNames).toEqual(['-1', '2', '10']);
  });
});

describe('accepted grammar (properties): exactly decimal numbers / digits, whatever Number() thinks', () => {
  const numberish = fc.stringOf(fc.constantFrom('0', '1', '4', '5', '9', '.', 'e', 'x', '-', '+', ' ', 'N', 'a', 'I', '\u00a0'), { maxLength: 6 });
  it('an STS-B score is accepted iff it is digits with at most one "." and a value in [0, 5]', async () => {
    await fc.assert(
      fc.asyncProperty(numberish, async (s) => {
        const expected = /^[0-9]*\.?[0-9]*$/.test(s) && /[0-9]/.test(s) && Number(s) <= 5;
        const got = await glue('STS-B', 'dev', sts(s)).then(
          (r) => r.examples[1]!.label,
          (e: unknown) => (e instanceof DataFormatError ? 'error' : e),
        );
        expect(got).toBe(expected ? Number(s) : 'error');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 60_000);
  it('a test id is accepted iff it is ASCII digits (a safe integer)', async () => {
    await fc.assert(
      fc.asyncProperty(numberish, async (s) => {
        const got = await glue('QQP', 'test', qqpTest(s)).then(
          (r) => r.examples[1]!.idx,
          (e: unknown) => (e instanceof DataFormatError ? 'error' : e),
        );
        expect(got).toBe(/^[0-9]+$/.test(s) ? Number(s) : 'error');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 60_000);
});

// ---- character mutations of valid files ----
type Outcome = 'clean error' | 'accepted' | 'crash';
const counts: Record<string, Record<Outcome, number>> = {};
const SEEDS: { parser: string; task: string; split: string; text: string }[] = [
  { parser: 'GLUE STS-B dev', task: 'STS-B', split: 'dev', text: sts('3.2') + '2\tg\tf\ty\t0002\ts\ts\tC\tD\t0.000\n' },
  { parser: 'GLUE QQP test', task: 'QQP', split: 'test', text: qqpTest('17') + '18\tE?\tF?\r\n' },
  { parser: 'GLUE CoLA train', task: 'CoLA', split: 'train', text: '\ufeff' + cola('0') + 'gj04\t1\t\tThe dog barked.\n' },
  { parser: 'TSV classification', task: 'generic', split: 'train', text: 'label\tid\ttext\n1\ta\tbuy now\n0\tb\thello team\n10\tc\tx\n' },
];
const edit = fc.record({
  at: fc.nat(),
  del: fc.integer({ min: 0, max: 3 }),
  ins: fc.stringOf(fc.constantFrom('\t', '\n', '\r', '0', '1', '5', '.', 'x', 'e', '-', ' ', 'N', '\ufeff', '"', '\u0000'), { maxLength: 3 }),
});

function valid(r: GlueSplit, test: boolean): boolean {
  return r.examples.every(
    (x, i) =>
      typeof x.textA === 'string' &&
      (x.textB === null || typeof x.textB === 'string') &&
      (test
        ? x.label === null && Number.isSafeInteger(x.idx) && x.idx >= 0
        : x.idx === i &&
          (r.labelNames ? Number.isInteger(x.label) && x.label! >= 0 && x.label! < r.labelNames.length : typeof x.label === 'number' && x.label >= 0 && x.label <= 5)),
  );
}

describe(`TSV loaders under character mutations (fast-check, seed ${SEED}, ${RUNS} runs per parser)`, () => {
  it.each(SEEDS.map((s) => [s.parser, s] as const))(
    '%s: every mutation is a clean DataFormatError or a valid split',
    async (parser, s) => {
      const c = (counts[parser] ??= { 'clean error': 0, accepted: 0, crash: 0 });
      await fc.assert(
        fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 5 }), async (edits) => {
          let text = s.text;
          for (const { at, del, ins } of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + ins + text.slice(i + del);
          }
          const lines = text.split('\n').length;
          const t0 = performance.now();
          const r = await (s.task === 'generic' ? generic(text) : glue(s.task, s.split, text)).then(
            (v) => v,
            (e: unknown) => e as Error,
          );
          let outcome: Outcome = 'crash';
          if (r instanceof DataFormatError) outcome = r.file.endsWith(`${s.split}.tsv`) && (r.line === null || (r.line >= 1 && r.line <= lines)) ? 'clean error' : 'crash';
          else if (!(r instanceof Error)) outcome = valid(r, s.split === 'test') ? 'accepted' : 'crash';
          if (performance.now() - t0 > 2000) outcome = 'crash';
          c[outcome]++;
          if (outcome === 'crash')
            throw new Error(`${parser}: ${r instanceof Error ? `${r.constructor.name}: ${r.message}` : 'invalid or slow result'} for ${JSON.stringify(text)}`);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    120_000,
  );
});

afterAll(() => {
  for (const [parser, c] of Object.entries(counts)) console.log(`[TSV mutation counts] ${parser}: clean error ${c['clean error']}, accepted ${c.accepted}, crash ${c.crash}`);
});
