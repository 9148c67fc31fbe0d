import { describe, it, expect, beforeAll } from 'vitest';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../../common/config';
import { LlamaForCausalLM } from '../heads';
import { parseGenerationConfig } from './generation-config';

/** Recorded by `../scripts/make_generation_config_golden.py`: transformers' `generate(ids)` with only a generation_config.json. */
const GOLDEN = fileURLToPath(new URL('../golden', import.meta.url));
const golden = JSON.parse(await readFile(join(GOLDEN, 'llama-generation-config.json'), 'utf8')) as {
  checkpoint?: string;
  cases: { name: string; generation_config: Record<string, unknown>; prompts: number[][]; sequences: number[][] }[];
};

async function withGenerationConfig(gc: Record<string, unknown> | string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-gencfg-'));
  await cp(join(GOLDEN, golden.checkpoint ?? 'llama-generate'), dir, { recursive: true });
  await writeFile(join(dir, 'generation_config.json'), typeof gc === 'string' ? gc : JSON.stringify(gc));
  return dir;
}

describe("generation_config.json gives generate's defaults, as transformers", () => {
  beforeAll(() => useBackend('cpu'));

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s: generate(prompts) with no options gives transformers’ sequences', async (_, c) => {
    const model = await LlamaForCausalLM.fromPretrained(await withGenerationConfig(c.generation_config));
    expect(model.generationConfig).toEqual(c.generation_config);
    expect((await model.generate(c.prompts)).sequences).toEqual(c.sequences);
    // an explicit option wins over the file: greedy with 2 new tokens is a prefix of nothing in particular, but has that length
    const short = await model.generate(c.prompts, { numBeams: 1, maxNewTokens: 2, maxLength: undefined });
    short.sequences.forEach((s, i) => expect(s.length).toBeLessThanOrEqual(c.prompts[i]!.length + 2));
    // savePretrained writes it back
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-gencfg-out-'));
    await model.savePretrained(out);
    expect(JSON.parse(await readFile(join(out, 'generation_config.json'), 'utf8'))).toEqual(c.generation_config);
    model.dispose();
  });

  it('fields: inert ones and repeated defaults are quiet; ones that change the output and are not implemented are named in a warning', async () => {
    expect(
      parseGenerationConfig({ do_sample: true, temperature: 0.6, top_p: 0.9, top_k: null, bos_token_id: 1, transformers_version: '4.45', min_length: 0, num_return_sequences: 1 }),
    ).toEqual({
      options: { doSample: true, temperature: 0.6, topP: 0.9 },
      unsupported: [],
    });
    expect(parseGenerationConfig({ no_repeat_ngram_size: 3, min_new_tokens: 4, eos_token_id: [2, 3] })).toEqual({
      options: { eosTokenId: [2, 3] },
      unsupported: ['no_repeat_ngram_size = 3', 'min_new_tokens = 4'],
    });
    const warnings: string[] = [];
    const m = await LlamaForCausalLM.fromPretrained(await withGenerationConfig({ no_repeat_ngram_size: 3, max_new_tokens: 2 }), { onWarning: (w) => warnings.push(w) });
    expect(warnings.some((w) => /generation_config\.json: generate does not implement no_repeat_ngram_size = 3; it ignores them/.test(w))).toBe(true);
    m.dispose();
  });

  it('a bad file is a ConfigError naming it; a bad value is named by generate', async () => {
    await expect(LlamaForCausalLM.fromPretrained(await withGenerationConfig('{ not json'))).rejects.toThrow(ConfigError);
    await expect(LlamaForCausalLM.fromPretrained(await withGenerationConfig('[1, 2]'))).rejects.toThrow(/generation_config\.json: expected a JSON object, got \[1,2\]/);
    const m = await LlamaForCausalLM.fromPretrained(await withGenerationConfig({ num_beams: 0 }));
    await expect(m.generate([[5, 6]])).rejects.toThrow(/"numBeams" expected an integer ≥ 1, got 0/);
    m.dispose();
  });
});
