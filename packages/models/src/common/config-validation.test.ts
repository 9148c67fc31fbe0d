import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type RawConfig } from './config';
import { readConfig } from './pretrained';
import { parseBertConfig } from '../bert/config';
import { parseViTConfig } from '../vit/config';
import { parseBlipConfig } from '../blip/config';
import { parseRobertaConfig } from '../roberta/roberta';
import { BERT, ROBERTA, VIT, BLIP, PARSERS } from '../testing/config-fixtures';

async function withConfig<T>(raw: unknown, f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'my-model-'));
  try {
    await writeFile(join(dir, 'config.json'), JSON.stringify(raw));
    return await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function errorOf(p: () => unknown): Promise<Error> {
  try {
    await p();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('config.json validation: each bad field is a ConfigError naming folder, file and field', () => {
  const cases: [string, (raw: RawConfig) => unknown, RawConfig, RegExp][] = [
    ['num_hidden_layers -1', parseBertConfig, { ...BERT, num_hidden_layers: -1 }, /"num_hidden_layers" expected a positive integer, got -1$/],
    ['hidden_size -32', parseBertConfig, { ...BERT, hidden_size: -32 }, /"hidden_size" expected a positive integer, got -32$/],
    ['hidden_size 0', parseBertConfig, { ...BERT, hidden_size: 0 }, /"hidden_size" expected a positive integer, got 0$/],
    ['hidden_size missing', parseBertConfig, { ...BERT, hidden_size: undefined }, /"hidden_size" expected a positive integer, got nothing \(the field is missing\)$/],
    ['layer_norm_eps -1', parseBertConfig, { ...BERT, layer_norm_eps: -1 }, /"layer_norm_eps" expected a positive number, got -1$/],
    ['layer_norm_eps 0', parseBertConfig, { ...BERT, layer_norm_eps: 0 }, /"layer_norm_eps" expected a positive number, got 0$/],
    ['dropout 1', parseBertConfig, { ...BERT, hidden_dropout_prob: 1 }, /"hidden_dropout_prob" expected a probability in \[0, 1\), got 1$/],
    ['dropout -0.1', parseBertConfig, { ...BERT, attention_probs_dropout_prob: -0.1 }, /"attention_probs_dropout_prob" expected a probability in \[0, 1\), got -0\.1$/],
    ['classifier_dropout 2', parseBertConfig, { ...BERT, classifier_dropout: 2 }, /"classifier_dropout" expected a probability/],
    ['unknown activation', parseBertConfig, { ...BERT, hidden_act: 'mish' }, /"hidden_act" = "mish" is not supported by tfjs-peft; supported: "gelu"/],
    ['heads do not divide hidden', parseBertConfig, { ...BERT, num_attention_heads: 5 }, /hidden_size 32 is not a multiple of num_attention_heads 5$/],
    ['vocab_size 0', parseBertConfig, { ...BERT, vocab_size: 0 }, /"vocab_size" expected a positive integer, got 0$/],
    ['vocab_size fractional', parseBertConfig, { ...BERT, vocab_size: 9.5 }, /"vocab_size" expected a positive integer, got 9\.5$/],
    ['pad_token_id beyond vocab', parseBertConfig, { ...BERT, pad_token_id: 99 }, /"pad_token_id" 99 must be less than "vocab_size" 99$/],
    ['pad_token_id negative', parseBertConfig, { ...BERT, pad_token_id: -1 }, /"pad_token_id" expected a non-negative integer, got -1$/],
    ['num_labels 0', parseBertConfig, { ...BERT, num_labels: 0 }, /"num_labels" expected a positive integer, got 0$/],
    ['id2label a string', parseBertConfig, { ...BERT, id2label: 'x' }, /"id2label" expected an object of label names/],
    ['roberta: positions after padding', parseRobertaConfig, { ...ROBERTA, max_position_embeddings: 2 }, /"max_position_embeddings" 2 leaves no positions/],
    ['roberta: wrong model_type', parseRobertaConfig, { ...BERT }, /"model_type" = "bert"; Roberta\* classes need "roberta"$/],
    ['vit: patch does not divide image', parseViTConfig, { ...VIT, patch_size: 4 }, /image_size 30 is not a multiple of patch_size 4$/],
    ['vit: num_channels 0', parseViTConfig, { ...VIT, num_channels: 0 }, /"num_channels" expected a positive integer, got 0$/],
    ['vit: image_size -1', parseViTConfig, { ...VIT, image_size: -1 }, /"image_size" expected a positive integer, got -1$/],
    ['blip: text_config not an object', parseBlipConfig, { ...BLIP, text_config: 3 }, /config\.json: "text_config" expected an object, got 3$/],
    [
      'blip: vision hidden_size -32',
      parseBlipConfig,
      { ...BLIP, vision_config: { ...(BLIP.vision_config as RawConfig), hidden_size: -32 } },
      /config\.json vision_config: "hidden_size" expected a positive integer, got -32$/,
    ],
    [
      'blip: text layer_norm_eps -1',
      parseBlipConfig,
      { ...BLIP, text_config: { ...(BLIP.text_config as RawConfig), layer_norm_eps: -1 } },
      /config\.json text_config: "layer_norm_eps" expected a positive number, got -1$/,
    ],
    [
      'blip: bos beyond vocab',
      parseBlipConfig,
      { ...BLIP, text_config: { ...(BLIP.text_config as RawConfig), bos_token_id: 30522 } },
      /text_config: "bos_token_id" 30522 must be less than "vocab_size" 99$/,
    ],
    ['blip: label_smoothing 1', parseBlipConfig, { ...BLIP, label_smoothing: 1 }, /"label_smoothing" expected a probability/],
  ];
  for (const [what, parse, raw, re] of cases) {
    it(what, async () => {
      const clean = JSON.parse(JSON.stringify(raw)) as RawConfig; // as read from a file: no undefined
      await withConfig(clean, async (dir) => {
        const err = await errorOf(async () => parse(await readConfig(dir)));
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).code).toBe('CONFIG_INVALID');
        expect(err.message.startsWith(`${dir}/config.json`)).toBe(true); // names the folder
        expect(err.message).toMatch(re);
      });
    });
  }

  for (const text of ['null', '[1,2]', '3', '"x"']) {
    it(`config.json that is ${text} is rejected when read`, async () => {
      await withConfig(JSON.parse(text), async (dir) => {
        const err = await errorOf(() => readConfig(dir));
        expect(err).toBeInstanceOf(ConfigError);
        expect(err.message).toMatch(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/config\\.json: expected a JSON object, got (null|an array|number|string)$`));
      });
    });
  }

  it('parsers given null or an array in code throw a ConfigError, not a TypeError', () => {
    for (const [, , parse] of PARSERS) {
      for (const bad of [null, [], 3]) expect(() => parse(bad as unknown as RawConfig)).toThrow(ConfigError);
    }
  });

  it('the valid base configs parse', () => {
    for (const [, raw, parse] of PARSERS) expect(() => parse(raw)).not.toThrow();
  });
});
