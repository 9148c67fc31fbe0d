import { llamaDecoder, type CausalDecoderModel } from './llama-decoder';
import { GenerateOptionsError, resolveGenerateOptions, type LlamaGenerateOptions } from './options';
import { padPrompts, type GeneratePrompts } from './prompts';
import { beamSearch, greedyOrSample, type SearchResult } from './search';

export interface CausalGenerateConfig {
  who: string;
  vocabSize: number;
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
}

/**
 * transformers' `generate` for a Llama-family causal LM: the prompts left-padded, positions from
 * the attention mask, a key/value cache (unless `useCache: false`), then greedy search, sampling
 * or beam search with the repetition penalty and the sampling warpers. `prefixes` / `promptEmbeds`
 * (a prompt adapter's virtual tokens, from `PeftModel.generate`) go in ahead of the prompt, as PEFT's.
 */
export async function generateCausal(lm: CausalDecoderModel, prompts: GeneratePrompts, options: LlamaGenerateOptions | undefined, c: CausalGenerateConfig): Promise<SearchResult> {
  // the options are checked once without a prompt length, so a bad option is reported before a bad prompt
  const early = resolveGenerateOptions(options, { who: c.who, vocabSize: c.vocabSize, configEos: c.eosTokenId, configPad: c.padTokenId, promptLength: 0 });
  const padded = await padPrompts(prompts, early.pad, c.vocabSize, c.who);
  const o = resolveGenerateOptions(options, { who: c.who, vocabSize: c.vocabSize, configEos: c.eosTokenId, configPad: c.padTokenId, promptLength: padded.ids[0]!.length });
  o.seed = early.seed;
  const virtual = Array.isArray(prompts) ? {} : { prefixes: prompts.prefixes ?? null, promptEmbeds: prompts.promptEmbeds ?? null };
  if (virtual.prefixes && virtual.promptEmbeds) throw new GenerateOptionsError(`${c.who}: "prefixes" and "promptEmbeds" cannot be combined (one prompt adapter at a time)`);
  const decoder = llamaDecoder(lm, o.useCache, virtual);
  try {
    return o.numBeams > 1 ? await beamSearch(decoder, padded, o) : await greedyOrSample(decoder, padded, o);
  } finally {
    decoder.dispose();
  }
}
