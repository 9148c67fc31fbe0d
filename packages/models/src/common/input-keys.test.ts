import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type Module } from '@tfjs-peft/core';
import { BertForSequenceClassification, BertModel } from '../bert';
import { DistilBertModel } from '../distilbert';
import { RobertaModel } from '../roberta';
import { ViTForImageClassification, ViTModel } from '../vit';
import { BlipForQuestionAnswering, BlipForConditionalGeneration } from '../blip';
import { LlamaForCausalLM } from '../llama';
import { Qwen2Model } from '../qwen2';
import { CLIPVisionModel } from '../clip';
import { LlavaForConditionalGeneration } from '../llava';
import { BERT, ROBERTA, VIT, BLIP } from '../testing/config-fixtures';
import { ForwardInputKeyError } from '../index';

const DECODER = { vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, pad_token_id: 0 };
const LLAMA = { ...DECODER, model_type: 'llama' };
const CLIP_VISION = { model_type: 'clip_vision_model', hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 4, image_size: 32, patch_size: 8 };
const DISTILBERT = { model_type: 'distilbert', vocab_size: 30, dim: 8, n_layers: 1, n_heads: 2, hidden_dim: 16, max_position_embeddings: 16 };

type Forward = Module & { forward(inputs: Record<string, unknown>): unknown };
const ids = () => tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
const pixels = () => tf.zeros([1, 3, 32, 32]);

// `forward({ input_ids })` as transformers users write it names the camelCase key, in every model
// (text encoders through textInputs, vision and multimodal models at their forward)
const CASES: [string, () => Module, () => Record<string, tf.Tensor>, string][] = [
  ['BertModel', () => new BertModel(BERT), () => ({ input_ids: ids() }), 'inputIds instead of input_ids'],
  [
    'BertForSequenceClassification (mixed keys)',
    () => new BertForSequenceClassification({ ...BERT, num_labels: 2 }),
    () => ({ inputIds: ids(), attention_mask: tf.ones([1, 3], 'int32'), labels: tf.tensor1d([1], 'int32') }),
    'attentionMask instead of attention_mask',
  ],
  [
    'DistilBertModel',
    () => new DistilBertModel(DISTILBERT),
    () => ({ input_ids: ids(), token_type_ids: ids() }),
    'inputIds instead of input_ids, tokenTypeIds instead of token_type_ids',
  ],
  ['RobertaModel', () => new RobertaModel(ROBERTA), () => ({ inputs_embeds: tf.zeros([1, 3, 4]) }), 'inputsEmbeds instead of inputs_embeds'],
  ['LlamaForCausalLM', () => new LlamaForCausalLM(LLAMA), () => ({ input_ids: ids(), position_ids: ids() }), 'inputIds instead of input_ids, positionIds instead of position_ids'],
  ['Qwen2Model', () => new Qwen2Model({ ...DECODER, model_type: 'qwen2' }), () => ({ input_ids: ids() }), 'inputIds instead of input_ids'],
  ['ViTModel', () => new ViTModel(VIT), () => ({ pixel_values: pixels() }), 'pixelValues instead of pixel_values'],
  ['ViTForImageClassification', () => new ViTForImageClassification({ ...VIT, num_labels: 2 }), () => ({ pixel_values: pixels() }), 'pixelValues instead of pixel_values'],
  ['CLIPVisionModel', () => new CLIPVisionModel(CLIP_VISION), () => ({ pixel_values: pixels() }), 'pixelValues instead of pixel_values'],
  ['BlipForQuestionAnswering', () => new BlipForQuestionAnswering(BLIP), () => ({ pixel_values: pixels(), input_ids: ids() }), 'pixelValues instead of pixel_values'],
  ['BlipForConditionalGeneration', () => new BlipForConditionalGeneration(BLIP), () => ({ pixel_values: pixels() }), 'pixelValues instead of pixel_values'],
  [
    'LlavaForConditionalGeneration',
    () => new LlavaForConditionalGeneration({ model_type: 'llava', vision_config: CLIP_VISION, text_config: LLAMA, image_token_index: 31 }),
    () => ({ input_ids: ids() }),
    'inputIds instead of input_ids',
  ],
];

describe('snake_case forward inputs', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it.each(CASES)('%s: a snake_case key throws ForwardInputKeyError naming the camelCase key', (_, make, inputs, message) => {
    const m = make() as Forward;
    const x = inputs();
    let err: unknown;
    try {
      m.forward(x);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ForwardInputKeyError);
    expect((err as ForwardInputKeyError).code).toBe('FORWARD_INPUT_KEY');
    expect((err as Error).message).toContain(`forward takes camelCase input keys: ${message}`);
    tf.dispose(Object.values(x));
    m.dispose();
  });
});
