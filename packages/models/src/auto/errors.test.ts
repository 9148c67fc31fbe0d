import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@tfjs-peft/ops/testing';
import { ConfigError } from '../common/config';
import { DistilBertForSequenceClassification } from '../distilbert';
import { LlamaForCausalLM } from '../llama';
import { RobertaForMaskedLM } from '../roberta';
import { ROBERTA, VIT } from '../testing/config-fixtures';
import { AutoModel, AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSequenceClassification } from './auto-model';
import { AutoModelError } from './errors';

const DISTILBERT_MLM = fileURLToPath(new URL('../distilbert/golden/distilbert-mlm', import.meta.url));

describe('Auto classes: what cannot be resolved, and options', () => {
  let tmp = '';
  beforeAll(async () => {
    await useBackend('cpu');
    tmp = await mkdtemp(join(tmpdir(), 'tfjs-peft-auto-errors-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  async function folder(name: string, config: unknown): Promise<string> {
    const dir = join(tmp, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    return dir;
  }

  it('an unknown model_type is an AutoModelError naming it, the task and the supported model_types', async () => {
    const dir = await folder('gpt2', { model_type: 'gpt2', n_layer: 2 });
    const err = (await AutoModelForCausalLM.fromPretrained(dir).catch((e: unknown) => e)) as AutoModelError;
    expect(err).toBeInstanceOf(AutoModelError);
    expect(err.code).toBe('AUTO_MODEL_UNSUPPORTED');
    expect([err.modelType, err.task, err.supported, err.tasksForModelType]).toEqual(['gpt2', 'AutoModelForCausalLM', ['llama', 'qwen2'], []]);
    expect(err.message).toBe(
      `${join(dir, 'config.json')}: model_type "gpt2" is not an architecture tfjs-peft implements; AutoModelForCausalLM supports model_type "llama", "qwen2"`,
    );
  });

  it('a task the architecture lacks names the tasks that do load it', async () => {
    const dir = await folder('vit', VIT);
    const err = (await AutoModelForCausalLM.fromPretrained(dir).catch((e: unknown) => e)) as AutoModelError;
    expect(err).toBeInstanceOf(AutoModelError);
    expect(err.message).toBe(
      `${join(dir, 'config.json')}: model_type "vit" has no AutoModelForCausalLM class in tfjs-peft (it loads with AutoModel, AutoModelForImageClassification); AutoModelForCausalLM supports model_type "llama", "qwen2"`,
    );
  });

  it('transformers pairs tfjs-peft has no class for are errors too (blip → BlipModel, clip → CLIPModel)', () => {
    expect(() => AutoModel.classFor('blip')).toThrow(
      /model_type "blip" has no AutoModel class in tfjs-peft \(it loads with AutoModelForVisualQuestionAnswering, AutoModelForImageTextToText\)/,
    );
    expect(() => AutoModel.classFor('clip')).toThrow(AutoModelError);
    expect(() => AutoModel.classFor('__proto__')).toThrow(/"__proto__" is not an architecture/);
  });

  it('a config without model_type fails in AutoConfig with a ConfigError, before any class is picked', async () => {
    const { model_type: _, ...untyped } = ROBERTA;
    const dir = await folder('untyped', untyped);
    await expect(AutoModelForMaskedLM.fromPretrained(dir)).rejects.toThrow(ConfigError);
    expect(() => AutoModelForMaskedLM.classFor(untyped)).toThrow(/config\.json: "model_type" expected/);
  });

  it('classFor and fromConfig pick by model_type as fromPretrained does', () => {
    expect(AutoModelForCausalLM.classFor('llama')).toBe(LlamaForCausalLM);
    const m = AutoModelForMaskedLM.fromConfig(ROBERTA);
    expect(m.constructor).toBe(RobertaForMaskedLM);
    m.dispose();
  });

  it('fromPretrained passes options through: config overrides, onWarning, ignoreMismatchedSizes', async () => {
    const warnings: string[] = [];
    const model = await AutoModelForSequenceClassification.fromPretrained(DISTILBERT_MLM, { config: { num_labels: 5 }, onWarning: (m) => warnings.push(m) });
    expect(model).toBeInstanceOf(DistilBertForSequenceClassification);
    expect(model.config.num_labels).toBe(5);
    const classifier = model.namedParameters().find(([n]) => n === 'classifier.weight')!;
    expect(classifier[1].value.shape[0]).toBe(5);
    expect(model.loadingInfo!.missingKeys).toContain('classifier.weight');
    expect(warnings.some((w) => w.includes('newly initialised') && w.includes('classifier.weight'))).toBe(true);
    model.dispose();
  });

  it('options.config may change model_type, and the class follows it', async () => {
    const dir = await folder('retyped', { ...ROBERTA, model_type: 'gpt2' });
    const Cls = AutoModelForMaskedLM.classFor({ ...ROBERTA, model_type: 'roberta' });
    const saved = new Cls(ROBERTA);
    await saved.savePretrained(dir);
    saved.dispose();
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...ROBERTA, model_type: 'gpt2' }));
    await expect(AutoModelForMaskedLM.fromPretrained(dir)).rejects.toThrow(AutoModelError);
    const m = await AutoModelForMaskedLM.fromPretrained(dir, { config: { model_type: 'roberta' }, onWarning: () => undefined });
    expect(m.constructor).toBe(RobertaForMaskedLM);
    m.dispose();
  });
});
