import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseSafetensors, rawToTypedArray } from '@tfjs-peft/core';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { LlavaProcessor, ImageCountError } from './index';

/** Recorded by `scripts/make_processor_golden.py`: transformers' LlavaProcessor folder and its outputs. */
const GOLDEN = fileURLToPath(new URL('./golden', import.meta.url));
const cases = JSON.parse(readFileSync(join(GOLDEN, 'llava-processor-cases.json'), 'utf8')) as Record<string, { text: string[]; images: number[] | null }> & {
  chat: { messages: never; rendered: string };
  image_token_id: number;
  image_tokens_per_image: number;
};
const io = parseSafetensors(new Uint8Array(readFileSync(join(GOLDEN, 'llava-processor-io.safetensors'))));
const get = (name: string) => {
  const t = io.tensors.get(name)!;
  return { data: rawToTypedArray(t, name), shape: t.shape };
};
const image = (i: number) => {
  const { data, shape } = get(`image.${i}`);
  return { data: data as Uint8Array, height: shape[0]!, width: shape[1]!, channels: 3 as const };
};

describe("LlavaProcessor against transformers' (golden/llava-processor)", () => {
  beforeAll(() => useBackend('cpu'));

  for (const run of ['batch', 'text-only'])
    it(`${run}: placeholders expanded per image, left-padded ids and mask, pixel values`, async () => {
      const p = await LlavaProcessor.fromPretrained(join(GOLDEN, 'llava-processor'));
      expect(p.imageTokenId).toBe(cases.image_token_id);
      const c = cases[run]!;
      const out = p.process(c.text, c.images ? c.images.map(image) : null);
      expect(Array.from(await out.inputIds.data())).toEqual(Array.from(get(`${run}.input_ids`).data));
      expect(out.inputIds.shape).toEqual(get(`${run}.input_ids`).shape);
      expect(Array.from(await out.attentionMask.data())).toEqual(Array.from(get(`${run}.attention_mask`).data));
      if (c.images) {
        expect(out.pixelValues!.shape).toEqual(get(`${run}.pixel_values`).shape);
        assertClose(await out.pixelValues!.data(), get(`${run}.pixel_values`).data as Float32Array, 'pixel_values', { atol: 1e-5 });
        const ids = (await out.inputIds.array()) as number[][];
        expect(ids[0]!.filter((t) => t === p.imageTokenId)).toHaveLength(cases.image_tokens_per_image);
        expect(ids[1]!.filter((t) => t === p.imageTokenId)).toHaveLength(2 * cases.image_tokens_per_image);
      } else expect(out.pixelValues).toBeNull();
      tf.dispose([out.inputIds, out.attentionMask, out.pixelValues ?? []].flat());
    });

  it('renders the chat template as transformers', async () => {
    const p = await LlavaProcessor.fromPretrained(join(GOLDEN, 'llava-processor'));
    expect(p.applyChatTemplate(cases.chat.messages, { tokenize: false, addGenerationPrompt: true })).toBe(cases.chat.rendered);
  });

  it('a placeholder count that does not match the images is an ImageCountError; no tensor is left behind', async () => {
    const p = await LlavaProcessor.fromPretrained(join(GOLDEN, 'llava-processor'));
    const before = tf.memory().numTensors;
    expect(() => p.process(['<image> one', 'none'], [image(0), image(1)])).toThrow(ImageCountError);
    expect(() => p.process('<image> <image>', [image(0)])).toThrow(/hold 2 "<image>" placeholder\(s\) but 1 image\(s\) were given/);
    expect(tf.memory().numTensors).toBe(before);
    expect(p.imageTokensFor(16, 16)).toBe(16); // 4×4 patches + CLS − 1 (default strategy)
    expect(new LlavaProcessor(p.imageProcessor, p.tokenizer, { ...p.settings, visionFeatureSelectStrategy: 'full' }).imageTokensFor(16, 16)).toBe(17);
    expect(() => new LlavaProcessor(p.imageProcessor, p.tokenizer, { ...p.settings, imageToken: 'two words' })).toThrow(ConfigError);
  });
});
