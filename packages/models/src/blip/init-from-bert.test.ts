import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@tfjs-peft/ops/testing';
import { manualSeed, encodeSafetensors, parseSafetensors } from '@tfjs-peft/core';
import { BertForMaskedLM } from '../bert';
import { BlipForQuestionAnswering, initBlipTextFromBert } from './index';

describe('initBlipTextFromBert', () => {
  beforeAll(() => useBackend('cpu'));

  it('copies BERT into the joint encoder and the decoder, grows the vocabulary, leaves cross-attention alone', async () => {
    manualSeed(1);
    const bert = new BertForMaskedLM({
      model_type: 'bert',
      vocab_size: 40,
      hidden_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 32,
      max_position_embeddings: 24,
    });
    const state: Record<string, tf.Tensor> = Object.fromEntries(bert.namedParameters().map(([n, p]) => [n, p.value]));
    const weights = parseSafetensors(await encodeSafetensors(state)).tensors;
    const blip = new BlipForQuestionAnswering({
      model_type: 'blip',
      text_config: {
        vocab_size: 42,
        hidden_size: 16,
        encoder_hidden_size: 16,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 32,
        max_position_embeddings: 24,
        bos_token_id: 40,
      },
      vision_config: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, image_size: 16, patch_size: 8 },
    });
    const cross = Array.from(blip.getParameter('text_encoder.encoder.layer.0.crossattention.self.query.weight').value.dataSync());
    const n = initBlipTextFromBert(blip, weights);
    expect(n).toBeGreaterThan(20);
    const q = bert.getParameter('bert.encoder.layer.0.attention.self.query.weight').value.dataSync();
    expect(Array.from(blip.getParameter('text_encoder.encoder.layer.0.attention.self.query.weight').value.dataSync())).toEqual(Array.from(q));
    expect(Array.from(blip.getParameter('text_decoder.bert.encoder.layer.0.attention.self.query.weight').value.dataSync())).toEqual(Array.from(q));
    const emb = blip.getParameter('text_decoder.bert.embeddings.word_embeddings.weight').value;
    expect(emb.shape).toEqual([42, 16]);
    expect(Array.from(tf.slice(emb, [0, 0], [40, 16]).dataSync())).toEqual(Array.from(bert.getParameter('bert.embeddings.word_embeddings.weight').value.dataSync()));
    expect(Array.from(blip.getParameter('text_encoder.encoder.layer.0.crossattention.self.query.weight').value.dataSync())).toEqual(cross);
    const wide = new BertForMaskedLM({
      model_type: 'bert',
      vocab_size: 40,
      hidden_size: 8,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 32,
      max_position_embeddings: 24,
    });
    const w2 = parseSafetensors(await encodeSafetensors(Object.fromEntries(wide.namedParameters().map(([k, p]) => [k, p.value])))).tensors;
    expect(() => initBlipTextFromBert(blip, w2)).toThrow(
      /initBlipTextFromBert: bert\.\S+ is \[[\d,]+\] but text_(encoder|decoder)\.\S+ is \[[\d,]+\]; the BERT checkpoint must have the text model's hidden/,
    );
    bert.dispose();
    wide.dispose();
    blip.dispose();
  });
});
