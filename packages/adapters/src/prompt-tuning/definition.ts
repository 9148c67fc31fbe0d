import * as tf from '@tensorflow/tfjs-core';
import type { MethodDefinition } from '../method';
import { PeftError } from '../errors';
import { attentionShape, checkPromptSizes, promptLearningJson, withPrompt, wordEmbeddings } from '../prompt-inputs';
import { NUM_VIRTUAL_TOKENS } from '../prefix-tuning/config';
import { PromptEmbedding } from './prompt-embedding';
import { PROMPT_FILE_FIELDS, promptOptions, type PromptTuningConfig } from './config';

/**
 * Prompt tuning (HF PEFT `PromptTuningConfig`): virtual tokens put before the input's word
 * embeddings (found through the model's description), the attention mask extended.
 */
export const promptTuning: MethodDefinition<PromptTuningConfig> = {
  methods: ['prompt-tuning'],
  kind: 'prompt',
  peftType: 'PROMPT_TUNING',
  options: promptOptions,
  file: { fields: PROMPT_FILE_FIELDS, required: ['num_virtual_tokens'] },
  parameterSegments: [],
  createEncoder(c, model, where, training) {
    const s = attentionShape(model, where);
    const words = wordEmbeddings(model, where);
    const p = c.numVirtualTokens ?? NUM_VIRTUAL_TOKENS;
    const ids = c.initTokenIds;
    const init = ids
      ? tf.tidy(() =>
          words.forward(
            tf.tensor1d(
              Array.from({ length: p }, (_, i) => ids[i % ids.length]!),
              'int32',
            ),
          ),
        )
      : undefined;
    const enc = new PromptEmbedding(p, s.hidden, init);
    init?.dispose();
    return enc.train(training);
  },
  promptInputs(encoder, inputs, scope, model) {
    if (scope) throw new PeftError('prompt tuning inside a sub-module is not supported; apply it to the whole model');
    if (!(encoder instanceof PromptEmbedding)) throw new PeftError('prompt tuning: the prompt encoder is not a PromptEmbedding');
    const ids = inputs.inputIds as tf.Tensor | undefined;
    if (!ids) throw new PeftError('prompt tuning: inputIds are required');
    const words = wordEmbeddings(model, model.constructor.name);
    return withPrompt(inputs, encoder.forward(ids.shape[0]!), (t) => words.forward(t));
  },
  generateInputs(encoder, inputs, scope) {
    if (scope) throw new PeftError('prompt tuning inside a sub-module is not supported; apply it to the whole model');
    if (!(encoder instanceof PromptEmbedding)) throw new PeftError('prompt tuning: the prompt encoder is not a PromptEmbedding');
    // one row, broadcast over the batch (and beams) by the decoder
    return { ...inputs, promptEmbeds: encoder.forward(1) };
  },
  toJson: (c, model) => ({
    peft_type: 'PROMPT_TUNING',
    ...promptLearningJson(c.numVirtualTokens ?? NUM_VIRTUAL_TOKENS, model),
    prompt_tuning_init: 'RANDOM',
    prompt_tuning_init_text: null,
    tokenizer_name_or_path: null,
    tokenizer_kwargs: null,
  }),
  fromJson(j, model, label) {
    checkPromptSizes(j, model, label);
    return { method: 'prompt-tuning', numVirtualTokens: j.num_virtual_tokens as number };
  },
};
