import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@tfjs-peft/ops/testing';
import { manualSeed, MemoryFolder } from '@tfjs-peft/core';
import { BertForSequenceClassification, BertForMaskedLM, BertModel } from '../bert';
import { ViTForImageClassification } from '../vit';
import { BlipForQuestionAnswering, BlipForConditionalGeneration } from '../blip';
import { ConfigError } from './config';

const bertCfg = {
  model_type: 'bert',
  vocab_size: 50,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 20,
  type_vocab_size: 2,
  num_labels: 3,
};
const blipCfg = {
  model_type: 'blip',
  text_config: {
    vocab_size: 40,
    hidden_size: 16,
    encoder_hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 20,
    bos_token_id: 1,
    sep_token_id: 2,
    pad_token_id: 0,
  },
  vision_config: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, image_size: 16, patch_size: 8 },
};

async function bits(m: { namedParameters(): [string, { value: tf.Tensor }][] }) {
  return Promise.all(m.namedParameters().map(async ([n, p]) => [n, Array.from(new Uint32Array((await p.value.data()).buffer.slice(0)))] as const));
}

describe('savePretrained → fromPretrained', () => {
  beforeAll(() => useBackend('cpu'));

  for (const [name, Ctor, cfg] of [
    ['BertForSequenceClassification', BertForSequenceClassification, bertCfg],
    ['BertForMaskedLM (tied decoder)', BertForMaskedLM, bertCfg],
    [
      'ViTForImageClassification',
      ViTForImageClassification,
      { model_type: 'vit', hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, image_size: 16, patch_size: 8, num_labels: 4 },
    ],
    ['BlipForQuestionAnswering', BlipForQuestionAnswering, blipCfg],
    ['BlipForConditionalGeneration', BlipForConditionalGeneration, blipCfg],
  ] as const)
    it(`${name} round-trips bit-identically in HF layout`, async () => {
      manualSeed(3);
      const a = new (Ctor as typeof BertForSequenceClassification)(cfg);
      const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-save-'));
      await a.savePretrained(dir);
      expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors']);
      expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))).toEqual(cfg);
      const b = await (Ctor as typeof BertForSequenceClassification).fromPretrained(dir, {
        onWarning: (w) => {
          throw new Error(w);
        },
      });
      expect(await bits(b)).toEqual(await bits(a));
      a.dispose();
      b.dispose();
    });

  it('round-trips through a MemoryFolder (a browser: picked folder in, download out)', async () => {
    manualSeed(4);
    const a = new BertForSequenceClassification(bertCfg);
    const folder = new MemoryFolder('bert-in-memory');
    await a.savePretrained(folder);
    expect(folder.paths()).toEqual(['config.json', 'model.safetensors']);
    const b = await BertForSequenceClassification.fromPretrained(folder, {
      onWarning: (w) => {
        throw new Error(w);
      },
    });
    expect(await bits(b)).toEqual(await bits(a));
    await expect(BertForSequenceClassification.fromPretrained(new MemoryFolder('empty'))).rejects.toThrow('empty/config.json: no such file in this folder (it holds no files)');
    a.dispose();
    b.dispose();
  });

  it('a head model loads a bare base checkpoint and reports the new head; wrong architectures are refused', async () => {
    const base = new BertModel(bertCfg);
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-base-'));
    await base.savePretrained(dir);
    const warnings: string[] = [];
    const cls = await BertForSequenceClassification.fromPretrained(dir, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual(['BertForSequenceClassification: newly initialised (not in the checkpoint), train them before use: classifier.weight, classifier.bias']);
    expect(Array.from(await cls.bert.encoder.layer[1]!.output.dense.weight.value.data())).toEqual(Array.from(await base.encoder.layer[1]!.output.dense.weight.value.data()));
    const vitDir = await mkdtemp(join(tmpdir(), 'tfjs-peft-vit-'));
    const vit = new ViTForImageClassification({
      model_type: 'vit',
      hidden_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 32,
      image_size: 16,
      patch_size: 8,
    });
    await vit.savePretrained(vitDir);
    await expect(BertForSequenceClassification.fromPretrained(vitDir)).rejects.toThrow(/config\.json: "model_type" = "vit" is not supported/);
    [base, cls, vit].forEach((m) => m.dispose());
  });

  it('a classifier with another number of labels: an error naming the tensor, or re-initialised on request', async () => {
    const a = new BertForSequenceClassification(bertCfg);
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-labels-'));
    await a.savePretrained(dir);
    await expect(BertForSequenceClassification.fromPretrained(dir, { config: { num_labels: 5, id2label: undefined } })).rejects.toThrow(
      /classifier\.weight expected \[5,16\], got \[3,16\]/,
    );
    const warnings: string[] = [];
    const b = await BertForSequenceClassification.fromPretrained(dir, {
      config: { num_labels: 5, id2label: undefined },
      ignoreMismatchedSizes: true,
      onWarning: (w) => warnings.push(w),
    });
    expect(b.classifier.weight.shape).toEqual([5, 16]);
    expect(warnings).toContainEqual(expect.stringMatching(/classifier\.weight: checkpoint shape \[3,16\] differs from the model's \[5,16\]; newly initialised/));
    a.dispose();
    b.dispose();
  });

  it('config options that are not implemented are rejected by name', () => {
    expect(() => new BertModel({ ...bertCfg, position_embedding_type: 'relative_key' })).toThrow(ConfigError);
    expect(() => new BertModel({ ...bertCfg, position_embedding_type: 'relative_key' })).toThrow(
      /"position_embedding_type" = "relative_key" is not supported by tfjs-peft; supported: "absolute"/,
    );
    expect(() => new BertModel({ ...bertCfg, hidden_size: 15 })).toThrow(/hidden_size 15 is not a multiple of num_attention_heads 2/);
    expect(() => new BertModel({ ...bertCfg, hidden_act: 'quick_gelu' })).toThrow(/config\.json: "hidden_act" = "quick_gelu" is not supported by tfjs-peft; supported: "gelu"/);
    expect(() => new BertModel({ ...bertCfg, vocab_size: 'many' })).toThrow(/"vocab_size" expected a positive integer, got "many"/);
    expect(() => new BlipForQuestionAnswering({ ...blipCfg, text_config: { ...blipCfg.text_config, encoder_hidden_size: 8 } })).toThrow(
      /encoder_hidden_size 8 must equal vision_config\.hidden_size 16/,
    );
  });

  it('dropout acts only in train mode; forward shapes are asserted', async () => {
    const m = new BertForSequenceClassification({ ...bertCfg, hidden_dropout_prob: 0.5, attention_probs_dropout_prob: 0.5 });
    const ids = tf.tensor2d([[5, 6, 7, 8]], [1, 4], 'int32');
    m.eval();
    const a = await m.forward({ inputIds: ids }).logits.data();
    const b = await m.forward({ inputIds: ids }).logits.data();
    expect(Array.from(a)).toEqual(Array.from(b));
    m.train();
    const c = await m.forward({ inputIds: ids }).logits.data();
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(() => m.forward({ inputIds: ids, attentionMask: tf.ones([1, 3], 'int32') })).toThrow(/attention_mask expected \[1,4\], got \[1,3\]/);
    expect(() => m.forward({ inputIds: tf.zeros([1, 30], 'int32') })).toThrow(/input_ids expected at most 20 positions/);
    m.dispose();
  });
});
