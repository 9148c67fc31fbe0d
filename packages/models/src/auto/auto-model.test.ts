import { describe, it, expect, expectTypeOf, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@tfjs-peft/ops/testing';
import type { PreTrainedModel } from '../common/pretrained';
import { ROBERTA } from '../testing/config-fixtures';
import { GOLDEN_DIR, GOLDEN_MISSING } from '../testing/golden';
import type { BlipForConditionalGeneration } from '../blip';
import type { LlamaForCausalLM } from '../llama';
import type { LlavaForConditionalGeneration } from '../llava';
import type { Qwen2ForCausalLM } from '../qwen2';
import { AUTO_MODELS, AutoModelForCausalLM, AutoModelForImageTextToText } from './auto-model';
import { AUTO_MODEL_REGISTRY, type AutoModelClass } from './registry';
import { AUTO_TASKS, type AutoTask } from './tasks';

/** A checkpoint folder saved by transformers (a golden case), or one this test saves (`built`). */
interface Fixture {
  name: string;
  dir: string;
  /** from ../shared/fixtures/golden: skipped when that folder is absent */
  shared?: boolean;
  /** saved from a fresh model of the expected class with this config (no transformers case exists) */
  built?: Record<string, unknown>;
}
const shared = (name: string): Fixture => ({ name: `shared ${name}`, dir: join(GOLDEN_DIR, name), shared: true });
const local = (arch: string, name: string): Fixture => ({ name: `${arch}/golden/${name}`, dir: fileURLToPath(new URL(`../${arch}/golden/${name}`, import.meta.url)) });

/** Per model_type, the checkpoints to load; the one whose `architectures` names the expected class is used, else the first. */
const FIXTURES: Record<string, Fixture[]> = {
  bert: [shared('bert-seqcls'), shared('bert-mlm')],
  roberta: [{ name: 'saved tiny RoBERTa', dir: '', built: { ...ROBERTA, num_labels: 2, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 } }],
  distilbert: [local('distilbert', 'distilbert-seqcls'), local('distilbert', 'distilbert-mlm')],
  vit: [shared('vit-imgcls')],
  blip: [shared('blip-vqa')],
  llama: [local('llama', 'llama-causal-lm'), local('llama', 'llama-seqcls')],
  qwen2: [local('qwen2', 'qwen2-causal-lm'), local('qwen2', 'qwen2-seqcls')],
  clip_vision_model: [local('clip', 'clip-vision-quick-gelu')],
  llava: [local('llava', 'llava-default')],
};

function architecturesOf(f: Fixture): string[] {
  const file = join(f.dir, 'config.json');
  if (f.built || !existsSync(file)) return [];
  return ((JSON.parse(readFileSync(file, 'utf8')) as { architectures?: string[] }).architectures ?? []).map(String);
}

function fixtureFor(modelType: string, cls: AutoModelClass): Fixture {
  const list = FIXTURES[modelType];
  if (!list) throw new Error(`auto-model.test.ts: no fixture for model_type ${modelType}; add one to FIXTURES`);
  return list.find((f) => architecturesOf(f).includes(cls.name)) ?? list[0]!;
}

const entries = AUTO_TASKS.flatMap((task) => Object.entries(AUTO_MODEL_REGISTRY[task]).map(([mt, cls]) => ({ task, mt, cls: cls as AutoModelClass })));
const quiet = { onWarning: () => undefined };

async function expectSameWeights(auto: PreTrainedModel, direct: PreTrainedModel): Promise<number> {
  expect(auto.loadingInfo).toEqual(direct.loadingInfo);
  const a = auto.namedParameters();
  const d = new Map(direct.namedParameters());
  expect(a.map(([n]) => n)).toEqual([...d.keys()]);
  const fresh = new Set(direct.loadingInfo!.missingKeys); // newly initialised at random in both loads
  let compared = 0;
  for (const [name, p] of a) {
    if (fresh.has(name)) continue;
    const q = d.get(name)!;
    expect(p.value.shape, name).toEqual(q.value.shape);
    expect(await p.value.data(), name).toEqual(await q.value.data());
    compared++;
  }
  return compared;
}

describe('Auto classes load every registry entry as its class would', () => {
  let tmp = '';
  beforeAll(async () => {
    await useBackend('cpu');
    tmp = await mkdtemp(join(tmpdir(), 'tfjs-peft-auto-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('covers every registry entry', () => {
    expect(entries.length).toBe(AUTO_TASKS.reduce((n, t) => n + Object.keys(AUTO_MODEL_REGISTRY[t]).length, 0));
    for (const { mt } of entries) expect(FIXTURES, `FIXTURES lacks model_type ${mt}`).toHaveProperty(mt);
  });

  for (const { task, mt, cls } of entries) {
    const f = fixtureFor(mt, cls);
    const absent = f.shared === true && !existsSync(f.dir);
    const title = `${task}: ${mt} → ${cls.name} (${f.name})`;
    if (absent) {
      it.skip(`${title} — ${GOLDEN_MISSING}`, () => undefined);
      continue;
    }
    it(title, async () => {
      let dir = f.dir;
      if (f.built) {
        dir = join(tmp, `${task}-${mt}`);
        const m = new cls(f.built);
        await m.savePretrained(dir);
        m.dispose();
      }
      const before = tf.memory().numTensors;
      const auto = await AUTO_MODELS[task as AutoTask].fromPretrained(dir, quiet);
      expect(auto).toBeInstanceOf(cls);
      expect(auto.constructor, `${task} must return exactly ${cls.name}, not a subclass`).toBe(cls);
      const direct = await cls.fromPretrained(dir, quiet);
      const compared = await expectSameWeights(auto, direct);
      expect(compared, 'no checkpoint weight was loaded').toBeGreaterThan(0);
      auto.dispose();
      direct.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('Auto classes are typed by their registry entries', () => {
  it('fromPretrained resolves to the union of the classes the task maps (checked by tsc)', () => {
    expectTypeOf(AutoModelForCausalLM.fromPretrained).returns.resolves.toEqualTypeOf<LlamaForCausalLM | Qwen2ForCausalLM>();
    expectTypeOf(AutoModelForImageTextToText.fromConfig).returns.toEqualTypeOf<BlipForConditionalGeneration | LlavaForConditionalGeneration>();
  });
});
