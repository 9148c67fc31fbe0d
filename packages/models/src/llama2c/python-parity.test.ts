import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '../llama';
import { findHfPython, runPython, REPO_ROOT } from '../testing/python';
import { convertLlama2cFile } from './index';
import { STORIES_BIN, STORIES_IDS, hasStories } from './test-data';

const { python, reason } = findHfPython();
const SCRIPT = resolve(REPO_ROOT, 'packages/models/src/llama2c/scripts/llama2c_reference.py');
const TOL = { atol: 1e-4, rtol: 1e-4 };
/** What `llama2c_reference.py synthetic` writes: tiny random files packed as llama2.c's export.py does. */
const SYNTHETIC = ['v0-tied-gqa', 'v0-untied-mha', 'v1-tied-gqa', 'v1-untied-mqa'];
const SYNTHETIC_IDS = [1, 5, 9, 3, 7, 2, 8, 4, 6];

interface PyLogits {
  llama2c: Float64Array;
  transformers: Float64Array;
}

async function ourLogits(folder: string, ids: number[]): Promise<Float32Array> {
  const model = await LlamaForCausalLM.fromPretrained(folder, { onWarning: (m) => expect.fail(m) });
  const logits = tf.tidy(() => model.forward({ inputIds: tf.tensor2d([ids], [1, ids.length], 'int32') }).logits);
  const v = (await logits.data()) as Float32Array;
  logits.dispose();
  model.dispose();
  return v;
}

/** The three pairs; returns the largest absolute difference of each. */
function threeWay(label: string, ours: Float32Array, py: PyLogits): Record<string, number> {
  return {
    'llama2c↔transformers': assertClose(py.transformers, py.llama2c, `${label}: transformers on the converted folder vs llama2.c forward`, TOL),
    'llama2c↔ours': assertClose(ours, py.llama2c, `${label}: LlamaForCausalLM vs llama2.c forward`, TOL),
    'transformers↔ours': assertClose(ours, py.transformers, `${label}: LlamaForCausalLM vs transformers`, TOL),
  };
}

describe.skipIf(!python)(`llama2.c forward (numpy) = transformers = LlamaForCausalLM on converted folders (${reason})`, () => {
  let dir = '';
  let written: string[] = [];
  const cases: { name: string; bin: string; ids: number[] }[] = [];
  const py = new Map<string, PyLogits>();
  beforeAll(async () => {
    await useBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-llama2c-py-'));
    written = JSON.parse(runPython(python!, SCRIPT, ['synthetic', dir]).trim().split('\n').at(-1)!) as string[];
    for (const name of SYNTHETIC) cases.push({ name, bin: join(dir, `${name}.bin`), ids: SYNTHETIC_IDS });
    if (hasStories) cases.push({ name: 'stories260K', bin: STORIES_BIN, ids: STORIES_IDS });
    for (const c of cases) await convertLlama2cFile(c.bin, join(dir, c.name));
    // one Python run for every case (torch starts once)
    runPython(python!, SCRIPT, ['logits', join(dir, 'logits.json'), ...cases.flatMap((c) => [c.bin, join(dir, c.name), c.ids.join(',')])]);
    const results = JSON.parse(await readFile(join(dir, 'logits.json'), 'utf8')) as Record<'llama2c' | 'transformers', number[][]>[];
    cases.forEach((c, i) => py.set(c.name, { llama2c: Float64Array.from(results[i]!.llama2c.flat()), transformers: Float64Array.from(results[i]!.transformers.flat()) }));
  }, 180_000);

  it('the script wrote the four synthetic files (v0/v1, tied/untied, MHA/GQA/MQA)', () => {
    expect(written).toEqual(SYNTHETIC);
  });

  for (const name of SYNTHETIC)
    it(`${name}: logits at every position agree three ways`, async () => {
      const diffs = threeWay(name, await ourLogits(join(dir, name), SYNTHETIC_IDS), py.get(name)!);
      console.info(`[llama2c parity] ${name}: max |Δlogits| ${JSON.stringify(diffs)}`);
    });

  it.skipIf(!hasStories)('stories260K: logits agree three ways', async () => {
    const diffs = threeWay('stories260K', await ourLogits(join(dir, 'stories260K'), STORIES_IDS), py.get('stories260K')!);
    console.info(`[llama2c parity] stories260K: max |Δlogits| ${JSON.stringify(diffs)}`);
  });
});
describe.skipIf(!!python)('llama2.c / transformers / LlamaForCausalLM parity', () => it.skip(reason, () => undefined));
