import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { testBackends, useBackend } from '@tfjs-peft/ops/testing';
import { BlipForQuestionAnswering } from './index';
import { GOLDEN_DIR, GOLDEN_MISSING, hasGolden, readGolden, expectOutput, expectGrads } from '../testing/golden';

describe.skipIf(!hasGolden).each(testBackends())('BLIP VQA golden parity on %s', (backend: string) => {
  beforeAll(() => useBackend(backend as 'cpu'));
  const tol = backend === 'webgpu' ? 1e-3 : 1e-4;
  const outScale = backend === 'webgpu' ? 10 : 1;

  it('blip-vqa: image/question embeddings, decoder logits, smoothed loss, all 147 gradients (decoder tied)', async () => {
    const c = await readGolden('blip-vqa');
    const model = await BlipForQuestionAnswering.fromPretrained(join(GOLDEN_DIR, 'blip-vqa'));
    expect(model.text_decoder.cls.predictions.decoder.weight).toBe(model.text_decoder.bert.embeddings.word_embeddings.weight);
    const inputs = {
      pixelValues: c.inputs.get('pixel_values')!,
      inputIds: c.inputs.get('input_ids')!,
      attentionMask: c.inputs.get('attention_mask'),
      decoderInputIds: c.inputs.get('decoder_input_ids'),
      decoderAttentionMask: c.inputs.get('decoder_attention_mask'),
      labels: c.inputs.get('labels'),
    };
    const before = tf.memory().numTensors;
    const out = model.forward(inputs);
    await expectOutput(out.imageEmbeds, c, 'image_embeds', outScale);
    await expectOutput(out.questionEmbeds, c, 'question_embeds', outScale);
    await expectOutput(out.decoderLogits!, c, 'decoder_logits', outScale);
    await expectOutput(out.loss!, c, 'loss', outScale);
    tf.dispose([out.imageEmbeds, out.questionEmbeds, out.decoderLogits!, out.loss!]);
    const v = model.vision_model.forward(inputs.pixelValues);
    await expectOutput(v.poolerOutput, c, 'vision_pooler_output', outScale);
    tf.dispose([v.lastHiddenState, v.poolerOutput]);
    expect(tf.memory().numTensors).toBe(before);
    const r = await expectGrads(model, () => model.forward(inputs).loss as tf.Scalar, c, {
      tol,
      alias: { 'text_decoder.bert.embeddings.word_embeddings.weight': 'grad_tied.text_decoder.bert.embeddings.word_embeddings.weight' },
    });
    expect(r.checked).toBe(147);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
describe.skipIf(hasGolden)('BLIP golden parity', () => it.skip(GOLDEN_MISSING, () => undefined));

describe.skipIf(!hasGolden)('BLIP VQA generate on the golden model', () => {
  beforeAll(() => useBackend('cpu'));
  it('greedy and 3-beam answers start with the decoder start token, stay within maxLength, and beam ≥ greedy in score', async () => {
    const c = await readGolden('blip-vqa');
    const model = await BlipForQuestionAnswering.fromPretrained(join(GOLDEN_DIR, 'blip-vqa'));
    const inputs = { pixelValues: c.inputs.get('pixel_values')!, inputIds: c.inputs.get('input_ids')!, attentionMask: c.inputs.get('attention_mask') };
    const before = tf.memory().numTensors;
    const greedy = await model.generate(inputs, { numBeams: 1, maxLength: 6 });
    const beam = await model.generate(inputs, { numBeams: 3, maxLength: 6, lengthPenalty: 0 });
    expect(tf.memory().numTensors).toBe(before);
    for (const r of [greedy, beam]) {
      expect(r.sequences).toHaveLength(2);
      for (const s of r.sequences) {
        expect(s[0]).toBe(1); // bos_token_id
        expect(s.length).toBeLessThanOrEqual(6);
        expect(s.slice(1, -1)).not.toContain(3); // sep (eos) only at the end
      }
    }
    // with lengthPenalty 0 beam scores are summed log-probabilities, comparable with greedy's
    beam.scores.forEach((s, i) => expect(s).toBeGreaterThanOrEqual(greedy.scores[i]! - 1e-4));
    model.dispose();
  });
});
