import type { GoldenCase } from '../../testing/golden';
import type { LlamaGenerateOptions } from './options';

/**
 * transformers' `generate` output `[B, P + N]` (left-padded prompts, finished rows filled with the
 * pad or EOS id) as `generate` here returns it: each prompt without its padding, then the generated
 * tokens up to and including the first EOS. For tests against recorded runs.
 */
export function hfSequences(data: ArrayLike<number>, shape: number[], mask: number[][], eos: number[]): number[][] {
  const [b, len] = shape as [number, number];
  const p = mask[0]!.length;
  return Array.from({ length: b }, (_, i) => {
    const row = Array.from({ length: len }, (_, j) => Number(data[i * len + j]));
    const generated = row.slice(p);
    const end = generated.findIndex((t) => eos.includes(t));
    return [...row.slice(mask[i]!.indexOf(1), p), ...(end < 0 ? generated : generated.slice(0, end + 1))];
  });
}

/** The runs of `../scripts/make_generate_golden.py` and their options here (HF names in camelCase); each run's pad id is recorded with it. */
export const GENERATE_RUNS: [string, LlamaGenerateOptions][] = [
  ['greedy', { maxNewTokens: 10 }],
  // the pad id is one whose penalty on the left padding changes the result (transformers penalises the padding too)
  ['greedy_repetition', { maxNewTokens: 10, repetitionPenalty: 1.5 }],
  ['beam', { maxNewTokens: 8, numBeams: 4 }],
  ['beam_length_penalty', { maxNewTokens: 8, numBeams: 4, lengthPenalty: 2 }],
  ['beam_early_stopping', { maxNewTokens: 8, numBeams: 4, lengthPenalty: 2, earlyStopping: true }],
  ['beam_repetition', { maxNewTokens: 7, numBeams: 2, lengthPenalty: 0, repetitionPenalty: 1.3 }],
];

/** The prompts (unpadded), the EOS ids and each run's pad id and sequences as `generate` returns them. */
export async function generateCase(c: GoldenCase) {
  const mask = (await c.inputs.get('attention_mask')!.array()) as number[][];
  const ids = (await c.inputs.get('input_ids')!.array()) as number[][];
  const eos = Array.from(await c.inputs.get('eos_token_ids')!.data());
  const prompts = ids.map((r, b) => r.slice(mask[b]!.indexOf(1)));
  const expected = (run: string) => hfSequences(c.outputs.get(`generated.${run}`)!, c.shapes.get(`generated.${run}`)!, mask, eos);
  const pad = async (run: string) => (await c.inputs.get(`pad_token_id.${run}`)!.data())[0]!;
  return { ids, mask, eos, prompts, expected, pad };
}
