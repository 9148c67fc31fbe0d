/**
 * `PeftModel.generate` with prompt adapters on a decoder equals Python PEFT's `generate`
 * (`scripts/make_generate_golden.py`): prefix tuning (the prefixes seeded into the key/value cache,
 * positions shifted by the virtual tokens) and prompt tuning (embeddings before the prompt,
 * positions counting every column), greedy and beam search on left-padded prompts, with and
 * without the cache, leaking no tensors.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '@tfjs-peft/models/llama';
import { loadPeft, applyPeft, PeftError } from '../index';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const ref = JSON.parse(readFileSync(join(GOLDEN, 'peft-generate.json'), 'utf8')) as {
  input_ids: number[][];
  attention_mask: number[][];
  cases: Record<string, Record<'greedy' | 'beam', number[][]>>;
};
/** PEFT's sequences keep the left padding; ours drop it */
const unpad = (rows: number[][]) => rows.map((r, b) => r.slice(ref.attention_mask[b]!.indexOf(1)));

describe('PEFT generate with prompt adapters on Llama', () => {
  beforeAll(() => useBackend('cpu'));

  for (const name of ['peft-prefix-llama', 'peft-prompt-llama'])
    for (const useCache of [true, false])
      it(`${name}: greedy and beam search equal PEFT's generate (${useCache ? 'with' : 'without'} the cache)`, async () => {
        const dir = join(GOLDEN, name);
        const peft = await loadPeft(await LlamaForCausalLM.fromPretrained(dir), join(dir, 'adapter'));
        const inputs = { inputIds: ref.input_ids, attentionMask: ref.attention_mask };
        const before = tf.memory().numTensors;
        for (const [search, numBeams] of [
          ['greedy', 1],
          ['beam', 3],
        ] as const) {
          const out = (await peft.generate(inputs, { maxNewTokens: 6, numBeams, padTokenId: 0, eosTokenId: 2, useCache })) as { sequences: number[][] };
          expect(out.sequences, `${name} ${search}`).toEqual(unpad(ref.cases[name]![search]));
        }
        expect(tf.memory().numTensors).toBe(before);
        // the base model's own generate differs (in greedy or beam search): the adapter changed the tokens
        const off = peft.disableAdapters();
        const baseRuns: number[][][] = [];
        for (const numBeams of [1, 3])
          baseRuns.push(((await peft.generate(inputs, { maxNewTokens: 6, numBeams, padTokenId: 0, eosTokenId: 2 })) as { sequences: number[][] }).sequences);
        off.restore();
        expect(baseRuns).not.toEqual([unpad(ref.cases[name]!.greedy), unpad(ref.cases[name]!.beam)]);
        peft.dispose();
      });

  it('a prompt adapter needs an inputs object, not bare token lists', async () => {
    const peft = applyPeft(await LlamaForCausalLM.fromPretrained(join(GOLDEN, 'peft-prefix-llama')), { method: 'p-tuning-v2', numVirtualTokens: 2 });
    expect(() => peft.generate([[5, 6]], { maxNewTokens: 2 })).toThrow(PeftError);
    expect(() => peft.generate([[5, 6]], { maxNewTokens: 2 })).toThrow(/was given token lists; prompt-based adapters .* need an inputs object/);
    peft.dispose();
  });
});
