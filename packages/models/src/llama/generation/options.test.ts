import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { LlamaForCausalLM } from '../heads';
import { GenerateOptionsError, resolveGenerateOptions } from './options';

const base = {
  model_type: 'llama',
  vocab_size: 32,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  pad_token_id: 0,
  eos_token_id: 2,
};
const ctx = { who: 'LlamaForCausalLM.generate', vocabSize: 32, configEos: 2, configPad: null, promptLength: 3 };

beforeAll(() => useBackend('cpu'));

describe('generate options', () => {
  it("transformers' GenerationConfig defaults; maxNewTokens wins over maxLength; pad falls back to the first EOS", () => {
    const o = resolveGenerateOptions({}, ctx);
    expect(o).toMatchObject({
      maxLength: 20,
      doSample: false,
      temperature: 1,
      topK: 50,
      topP: 1,
      repetitionPenalty: 1,
      eos: [2],
      pad: 2,
      numBeams: 1,
      lengthPenalty: 1,
      earlyStopping: false,
      useCache: true,
    });
    expect(resolveGenerateOptions({ maxNewTokens: 4, maxLength: 50 }, ctx).maxLength).toBe(7);
    expect(resolveGenerateOptions({ eosTokenId: [5, 6], padTokenId: null }, { ...ctx, configPad: 1 })).toMatchObject({ eos: [5, 6], pad: null });
    expect(resolveGenerateOptions({ eosTokenId: null }, ctx)).toMatchObject({ eos: [], pad: null });
  });

  const bad: [Record<string, unknown>, RegExp][] = [
    [{ maxNewToken: 3 }, /"maxNewToken" is not a generate option; known: maxNewTokens, maxLength/],
    [{ maxNewTokens: 0 }, /"maxNewTokens" expected an integer ≥ 1, got 0/],
    [{ maxLength: 3 }, /"maxLength" 3 leaves nothing to generate after the \(padded\) prompt of 3 tokens; pass maxNewTokens/],
    [{ temperature: 0 }, /"temperature" expected a number > 0, got 0/],
    [{ topK: 1.5 }, /"topK" expected an integer ≥ 0, got 1.5/],
    [{ topP: 1.5 }, /"topP" expected a number in \(0, 1\], got 1.5/],
    [{ topP: 0 }, /"topP" expected a number in \(0, 1\]/],
    [{ repetitionPenalty: -1 }, /"repetitionPenalty" expected a number > 0, got -1/],
    [{ numBeams: 0 }, /"numBeams" expected an integer ≥ 1, got 0/],
    [{ doSample: 'yes' }, /"doSample" expected true or false, got "yes"/],
    [{ doSample: true, numBeams: 2 }, /"doSample" with "numBeams" 2 \(beam sampling\) is not supported/],
    [{ eosTokenId: 32 }, /"eosTokenId" expected a token id in 0…31, got 32/],
    [{ eosTokenId: [1, 'x'] }, /"eosTokenId" expected a token id in 0…31, got "x"/],
    [{ padTokenId: -1 }, /"padTokenId" expected a token id in 0…31, got -1/],
    [{ earlyStopping: 'always' }, /"earlyStopping" expected true, false or "never", got "always"/],
    [{ seed: 1.5 }, /"seed" expected an integer, got 1.5/],
    [{ useCache: 1 }, /"useCache" expected true or false, got 1/],
  ];
  for (const [options, message] of bad)
    it(`${JSON.stringify(options)} is a GenerateOptionsError naming the option`, async () => {
      expect(() => resolveGenerateOptions(options, ctx)).toThrow(GenerateOptionsError);
      expect(() => resolveGenerateOptions(options, ctx)).toThrow(message);
      const m = new LlamaForCausalLM(base);
      const before = tf.memory().numTensors;
      await expect(m.generate([[3, 4, 5]], options)).rejects.toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
      m.dispose();
    });

  it('bad prompts name what is wrong; nothing leaks', async () => {
    const m = new LlamaForCausalLM(base);
    const noPad = new LlamaForCausalLM({ ...base, pad_token_id: null, eos_token_id: null });
    const before = tf.memory().numTensors;
    const err = await m.generate([], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateOptionsError);
    expect((err as GenerateOptionsError).code).toBe('GENERATE_OPTIONS_INVALID');
    await expect(m.generate([[3], []])).rejects.toThrow(/"prompts" expected one or more non-empty token lists/);
    await expect(m.generate([[3, 40]])).rejects.toThrow(/prompt 0 token 1 expected a token id in 0…31, got 40/);
    await expect(noPad.generate([[3, 4], [5]], { maxNewTokens: 2 })).rejects.toThrow(/prompts of different lengths are padded on the left, but there is no "padTokenId"/);
    await expect(m.generate({ inputIds: [[3, 4]], attentionMask: [[1, 0]] })).rejects.toThrow(/"attentionMask" row 0 expected padding \(0\) only on the left/);
    await expect(m.generate({ inputIds: [[3, 4]], attentionMask: [[1, 1, 1]] })).rejects.toThrow(/"attentionMask" expected the shape of inputIds \[1, 2\]/);
    await expect(m.generate({ inputIds: [[3, 4]], inputsEmbeds: [] } as never)).rejects.toThrow(
      /input "inputsEmbeds" is not supported by generate; supported: inputIds, attentionMask, prefixes, promptEmbeds/,
    );
    const t = tf.ones([2], 'int32');
    await expect(m.generate({ inputIds: t })).rejects.toThrow(/"inputIds" expected a \[batch, length\] tensor or number\[\]\[\], got shape \[2\]/);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
    noPad.dispose();
  });
});
