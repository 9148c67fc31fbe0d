import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join, relative } from 'node:path';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { LlavaForConditionalGeneration, ImageTokenMismatchError } from './index';
import { GOLDEN_DIR, readGolden, type GoldenCase } from '../testing/golden';

/** Recorded by `scripts/make_golden.py`: transformers' `generate` (max_new_tokens 6, do_sample=False) on left-padded prompts with images. */
const HERE = fileURLToPath(new URL('./golden', import.meta.url));
const caseName = (name: string) => relative(GOLDEN_DIR, join(HERE, name));
const caseDir = (name: string) => join(HERE, name);
const EOS = 2;

async function rowsOf(t: tf.Tensor): Promise<number[][]> {
  return (await t.array()) as number[][];
}

/** transformers' new tokens per row, cut after the first EOS (it pads finished rows), behind the prompt without its padding. */
async function expected(c: GoldenCase, run: string): Promise<number[][]> {
  const shape = c.shapes.get(`generated.${run}`)!;
  const flat = Array.from(c.outputs.get(`generated.${run}`)!);
  const ids = await rowsOf(c.inputs.get('generate.input_ids')!);
  const mask = await rowsOf(c.inputs.get('generate.attention_mask')!);
  return ids.map((r, b) => {
    const gen = flat.slice(b * shape[1]!, (b + 1) * shape[1]!);
    const stop = gen.indexOf(EOS);
    return [...r.filter((_, i) => mask[b]![i]), ...(stop < 0 ? gen : gen.slice(0, stop + 1))];
  });
}

describe.each(testBackends())('LLaVA generate against transformers on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));

  for (const [name, runs] of [
    ['llava-default', ['greedy', 'beam']],
    ['llava-full-layers', ['greedy']],
  ] as const)
    for (const run of runs)
      it(`${name} ${run}: cached and uncached, transformers' sequences (images in the prefill, left padding); nothing leaks`, async () => {
        const c = await readGolden(caseName(name));
        const model = await LlavaForConditionalGeneration.fromPretrained(caseDir(name));
        const inputs = { inputIds: c.inputs.get('generate.input_ids')!, attentionMask: c.inputs.get('generate.attention_mask')!, pixelValues: c.inputs.get('pixel_values')! };
        const options = { maxNewTokens: 6, eosTokenId: EOS, padTokenId: 0, ...(run === 'beam' ? { numBeams: 2 } : {}) };
        const want = await expected(c, run);
        const before = tf.memory().numTensors;
        const cached = await model.generate(inputs, options);
        expect(cached.sequences).toEqual(want);
        const uncached = await model.generate(inputs, { ...options, useCache: false });
        expect(uncached.sequences).toEqual(want);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });

  it('placeholders that do not match the images are an ImageTokenMismatchError before any decoding', async () => {
    const c = await readGolden(caseName('llava-default'));
    const model = await LlavaForConditionalGeneration.fromPretrained(caseDir('llava-default'));
    const ids = c.inputs.get('generate.input_ids')!;
    const one = tf.slice(c.inputs.get('pixel_values')!, [0, 0, 0, 0], [1, 3, 16, 16]);
    await expect(model.generate({ inputIds: ids, attentionMask: c.inputs.get('generate.attention_mask')!, pixelValues: one })).rejects.toThrow(ImageTokenMismatchError);
    await expect(model.generate({ inputIds: ids, attentionMask: c.inputs.get('generate.attention_mask')! })).rejects.toThrow(/tokens: 8, features: 0/);
    one.dispose();
    model.dispose();
  });
});

describe('LLaVA generation_config.json', () => {
  beforeAll(() => useBackend('cpu'));

  it("gives generate's defaults: the recorded beam run from the file alone; saved back", async () => {
    const c = await readGolden(caseName('llava-default'));
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-llava-gencfg-'));
    await cp(caseDir('llava-default'), dir, { recursive: true });
    const gc = { max_new_tokens: 6, num_beams: 2, eos_token_id: EOS, pad_token_id: 0, do_sample: false };
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify(gc));
    const model = await LlavaForConditionalGeneration.fromPretrained(dir);
    expect(model.generationConfig).toEqual(gc);
    const inputs = { inputIds: c.inputs.get('generate.input_ids')!, attentionMask: c.inputs.get('generate.attention_mask')!, pixelValues: c.inputs.get('pixel_values')! };
    expect((await model.generate(inputs)).sequences).toEqual(await expected(c, 'beam'));
    expect((await model.generate(inputs, { numBeams: 1 })).sequences).toEqual(await expected(c, 'greedy')); // a passed option wins
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-llava-gencfg-out-'));
    await model.savePretrained(out);
    expect(JSON.parse(await readFile(join(out, 'generation_config.json'), 'utf8'))).toEqual(gc);
    model.dispose();
  });
});
