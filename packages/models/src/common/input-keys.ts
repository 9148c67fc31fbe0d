import { TfjsPeftError } from '@tfjs-peft/core';

/**
 * The transformers (snake_case) names of forward inputs and the camelCase keys this library's
 * `forward` takes. Inputs are typed objects with one spelling: a snake_case key is rejected with
 * the key to use, never accepted or silently ignored (an ignored `attention_mask` would run the
 * pass without a mask).
 */
export const SNAKE_CASE_INPUTS: Readonly<Record<string, string>> = {
  input_ids: 'inputIds',
  attention_mask: 'attentionMask',
  token_type_ids: 'tokenTypeIds',
  position_ids: 'positionIds',
  inputs_embeds: 'inputsEmbeds',
  pixel_values: 'pixelValues',
  past_key_values: 'pastKeyValues',
  encoder_hidden_states: 'encoderHiddenStates',
  encoder_attention_mask: 'encoderAttentionMask',
  decoder_input_ids: 'decoderInputIds',
  decoder_attention_mask: 'decoderAttentionMask',
  interpolate_pos_encoding: 'interpolatePosEncoding',
  output_hidden_states: 'outputHiddenStates',
};

/** A forward input was passed under its transformers (snake_case) name. */
export class ForwardInputKeyError extends TfjsPeftError {
  constructor(readonly keys: [snake: string, camel: string][]) {
    super(
      'FORWARD_INPUT_KEY',
      `forward takes camelCase input keys: ${keys.map(([s, c]) => `${c} instead of ${s}`).join(', ')} (e.g. model.forward({ inputIds, attentionMask }); tokenizer.encodeToTensors(text) returns them so)`,
    );
  }
}

/** Throws {@link ForwardInputKeyError} when `inputs` holds a key of {@link SNAKE_CASE_INPUTS}; called first by every model's forward. */
export function checkInputKeys(inputs: object | null | undefined): void {
  if (inputs == null || typeof inputs !== 'object') return;
  const bad: [string, string][] = [];
  for (const k of Object.keys(inputs)) if (Object.hasOwn(SNAKE_CASE_INPUTS, k)) bad.push([k, SNAKE_CASE_INPUTS[k]!]);
  if (bad.length) throw new ForwardInputKeyError(bad);
}
