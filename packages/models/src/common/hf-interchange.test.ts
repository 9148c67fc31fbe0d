import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readSafetensors, rawToTypedArray, manualSeed, type RawTensor } from '@tfjs-peft/core';
import { assertClose, useBackend } from '@tfjs-peft/ops/testing';
import { existsSync } from 'node:fs';
import { BertForSequenceClassification, BertForMaskedLM, BertForTokenClassification, BertTokenizer } from '../bert';
import { ViTForImageClassification } from '../vit';
import { BlipForQuestionAnswering } from '../blip';
import { RobertaForSequenceClassification, RobertaForMaskedLM } from '../roberta';
import { LlamaForCausalLM } from '../llama';
import { Qwen2ForCausalLM } from '../qwen2';
import { DistilBertForSequenceClassification } from '../distilbert';
import { CLIPVisionModel } from '../clip';
import { findHfPython, runPython, REPO_ROOT } from '../testing/python';
import { SHARED_DIR } from '../testing/golden';
import type { PreTrainedModel } from './pretrained';

const { python, reason } = findHfPython();
const SCRIPT = resolve(REPO_ROOT, 'packages/models/scripts/hf_reference.py');
const toTensor = (r: RawTensor) => {
  const v = rawToTypedArray(r);
  return tf.tensor(v, r.shape, v instanceof Float32Array ? 'float32' : 'int32');
};

type AnyModel = PreTrainedModel & { forward(i: unknown): unknown };
const CASES: [string, { fromPretrained(d: string): Promise<AnyModel> } & (new (c: Record<string, unknown>) => AnyModel)][] = [
  ['bert-seqcls', BertForSequenceClassification as never],
  ['bert-mlm', BertForMaskedLM as never],
  ['bert-tokcls', BertForTokenClassification as never],
  ['vit-imgcls', ViTForImageClassification as never],
  ['blip-vqa', BlipForQuestionAnswering as never],
  ['roberta-seqcls', RobertaForSequenceClassification as never],
  ['roberta-mlm', RobertaForMaskedLM as never],
  ['llama-causal-lm', LlamaForCausalLM as never],
  ['qwen2-causal-lm', Qwen2ForCausalLM as never],
  ['distilbert-seqcls', DistilBertForSequenceClassification as never],
  ['clip-vision', CLIPVisionModel as never],
];

/** Our outputs under the names the Python script writes. */
function ourOutputs(name: string, model: AnyModel, inp: Map<string, tf.Tensor>): Record<string, tf.Tensor> {
  if (name === 'blip-vqa') {
    const m = model as unknown as BlipForQuestionAnswering;
    const { imageEmbeds, questionEmbeds } = m.encode({ pixelValues: inp.get('pixel_values')!, inputIds: inp.get('input_ids')!, attentionMask: inp.get('attention_mask') });
    const decoderLogits = m.text_decoder.forward({
      inputIds: inp.get('decoder_input_ids')!,
      attentionMask: inp.get('decoder_attention_mask'),
      encoderHiddenStates: questionEmbeds,
      encoderAttentionMask: tf.onesLike(inp.get('attention_mask')!),
    });
    return { image_embeds: imageEmbeds, question_embeds: questionEmbeds, decoder_logits: decoderLogits };
  }
  if (name === 'clip-vision') {
    const out = (model as unknown as CLIPVisionModel).forward({ pixelValues: inp.get('pixel_values')! }) as { lastHiddenState: tf.Tensor; poolerOutput: tf.Tensor };
    return { last_hidden_state: out.lastHiddenState, pooler_output: out.poolerOutput };
  }
  const out = model.forward({
    inputIds: inp.get('input_ids'),
    attentionMask: inp.get('attention_mask'),
    tokenTypeIds: inp.get('token_type_ids'),
    pixelValues: inp.get('pixel_values'),
  }) as { logits: tf.Tensor };
  return { logits: out.logits };
}

async function compare(ours: Record<string, tf.Tensor>, file: string, label: string): Promise<void> {
  const ref = await readSafetensors(file);
  expect(Object.keys(ours).sort()).toEqual([...ref.tensors.keys()].sort());
  for (const [k, t] of Object.entries(ours)) {
    expect(t.shape, `${label} ${k}`).toEqual(ref.tensors.get(k)!.shape);
    assertClose(await t.data(), rawToTypedArray(ref.tensors.get(k)!), `${label}: ${k}`, { atol: 2e-5, rtol: 1e-4 });
  }
}

describe.skipIf(!python)(`live interchange with Python transformers (${reason})`, () => {
  let dir = '';
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'tfjs-peft-hf-'));
    runPython(python!, SCRIPT, ['make', dir]);
  }, 300_000);

  for (const [name, Ctor] of CASES) {
    it(`${name}: a checkpoint written by transformers' save_pretrained loads here and gives its outputs`, async () => {
      const model = await Ctor.fromPretrained(join(dir, name));
      const inp = new Map([...(await readSafetensors(join(dir, name, 'inputs.safetensors'))).tensors].map(([k, r]) => [k, toTensor(r)]));
      await compare(ourOutputs(name, model, inp), join(dir, name, 'outputs.safetensors'), `HF → tfjs-peft ${name}`);
      model.dispose();
    });

    it(`${name}: a checkpoint written by our savePretrained loads in transformers and gives our outputs`, async () => {
      const cfg = (await Ctor.fromPretrained(join(dir, name))).config;
      manualSeed(7);
      const ours = new Ctor(cfg);
      // perturb LayerNorms and biases so nothing is at its default
      for (const [, p] of ours.namedParameters()) if (p.shape.length === 1) p.assign(tf.tidy(() => tf.add(p.value, tf.randomNormal(p.shape, 0, 0.1, 'float32', 5))));
      const out = await mkdtemp(join(tmpdir(), `tfjs-peft-ours-${name}-`));
      await ours.savePretrained(out);
      await copyFile(join(dir, name, 'inputs.safetensors'), join(out, 'inputs.safetensors'));
      runPython(python!, SCRIPT, ['run', out]);
      const inp = new Map([...(await readSafetensors(join(out, 'inputs.safetensors'))).tensors].map(([k, r]) => [k, toTensor(r)]));
      ours.eval();
      await compare(ourOutputs(name, ours, inp), join(out, 'hf_outputs.safetensors'), `tfjs-peft → HF ${name}`);
      ours.dispose();
    });
  }
});
describe.skipIf(!!python)('live interchange with Python transformers', () => it.skip(reason, () => undefined));

const VOCAB_DIR = resolve(SHARED_DIR, 'data/bert_vocab/bert-base-uncased');
describe.skipIf(!python || !existsSync(VOCAB_DIR))(`BertTokenizer from a tokenizer.json saved by transformers (${reason})`, () => {
  it('encodes, truncates, types and decodes exactly as BertTokenizerFast, with [DEC]/[ENC] added', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-peft-tok-'));
    runPython(python!, SCRIPT, ['tokenizer', VOCAB_DIR, out]);
    expect(existsSync(join(out, 'tokenizer.json'))).toBe(true);
    const tok = await BertTokenizer.fromPretrained(out);
    expect(tok.vocabSize).toBe(30524);
    const expected = JSON.parse(await readFile(join(out, 'expected.json'), 'utf8')) as {
      text: string;
      pair: string | null;
      maxLength: number | null;
      inputIds: number[];
      tokenTypeIds: number[];
      decoded: string;
    }[];
    for (const e of expected) {
      const ours = tok.encode(e.text, e.pair, e.maxLength ? { truncation: 'longest_first', maxLength: e.maxLength } : {});
      expect(ours.inputIds, `${e.text} | ${e.pair} | ${e.maxLength}`).toEqual(e.inputIds);
      expect(ours.tokenTypeIds).toEqual(e.tokenTypeIds);
      expect(tok.decode(ours.inputIds, { skipSpecialTokens: true })).toBe(e.decoded);
    }
  });
});
