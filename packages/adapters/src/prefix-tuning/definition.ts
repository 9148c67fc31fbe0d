import type { MethodDefinition } from '../method';
import { PeftError } from '../errors';
import { attentionShape, checkPromptSizes, prefixSizes, promptLearningJson } from '../prompt-inputs';
import { PrefixEncoder } from './prefix-encoder';
import { NUM_VIRTUAL_TOKENS, PREFIX_FILE_FIELDS, prefixOptions, type PrefixTuningConfig } from './config';

/**
 * Prefix tuning (HF PEFT `PrefixTuningConfig`): learned key/value prefixes for every attention layer,
 * passed to the model as its `prefixes` input (per sub-module inside a policy). With projection it is
 * MILE's "Prefix"; without, P-Tuning v2.
 */
export const prefixTuning: MethodDefinition<PrefixTuningConfig> = {
  methods: ['prefix-tuning', 'p-tuning-v2'],
  kind: 'prompt',
  peftType: 'PREFIX_TUNING',
  options: prefixOptions,
  file: { fields: PREFIX_FILE_FIELDS, required: ['num_virtual_tokens'] },
  parameterSegments: [],
  createEncoder(c, model, where, training) {
    const s = attentionShape(model, where);
    // under grouped-query attention the prefixes have the key/value heads, as PEFT's
    const enc = new PrefixEncoder(
      { numVirtualTokens: c.numVirtualTokens ?? NUM_VIRTUAL_TOKENS, numLayers: s.numLayers, ...prefixSizes(s) },
      c.method === 'prefix-tuning',
      c.encoderHiddenSize,
    );
    return enc.train(training);
  },
  promptInputs(encoder, inputs, scope) {
    if (!(encoder instanceof PrefixEncoder)) throw new PeftError('prefix tuning: the prompt encoder is not a PrefixEncoder');
    const prefixes = encoder.forward();
    return scope ? { ...inputs, prefixes: { ...((inputs.prefixes as object) ?? {}), [scope]: prefixes } } : { ...inputs, prefixes };
  },
  toJson: (c, model) => {
    const { tokenDim } = prefixSizes(attentionShape(model, 'model'));
    return {
      peft_type: 'PREFIX_TUNING',
      ...promptLearningJson(c.numVirtualTokens ?? NUM_VIRTUAL_TOKENS, model, true),
      prefix_projection: c.method === 'prefix-tuning',
      encoder_hidden_size: c.method === 'prefix-tuning' ? (c.encoderHiddenSize ?? tokenDim) : tokenDim,
    };
  },
  fromJson(j, model, label) {
    checkPromptSizes(j, model, label, true);
    // the file holds the encoder's output table; PEFT does not save a projection MLP, so it loads as P-Tuning v2
    return { method: 'p-tuning-v2', numVirtualTokens: j.num_virtual_tokens as number };
  },
  loadsAs: () => 'p-tuning-v2',
};
