import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PreTrainedModel } from '../common/pretrained';
import { AUTO_MODEL_REGISTRY, autoModelTypes, type AutoModelClass } from './registry';
import { AUTO_TASKS } from './tasks';

/** What transformers' Auto classes answer (`scripts/auto_mapping.py`). */
interface TransformersAutoMapping {
  transformers: string;
  modelTypes: string[];
  tasks: Record<string, Record<string, string | null>>;
}
const GOLDEN_FILE = fileURLToPath(new URL('./scripts/auto-mapping.json', import.meta.url));
const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as TransformersAutoMapping;
const RERUN = 'rerun `python src/auto/scripts/auto_mapping.py` after adding a task or model_type to its lists';

const SRC = fileURLToPath(new URL('..', import.meta.url));
/** Folders under src/ that hold an architecture: they have a `describe.ts` (CONTRIBUTING, "Add a model"). */
const ARCH_FOLDERS = readdirSync(SRC, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(SRC, e.name, 'describe.ts')))
  .map((e) => e.name)
  .sort();
/** Every folder with an `index.ts` (bert and roberta keep their description elsewhere). */
const INDEX_FOLDERS = readdirSync(SRC, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'auto' && existsSync(join(SRC, e.name, 'index.ts')))
  .map((e) => e.name)
  .sort();

/**
 * Exported model classes that no Auto class returns, and why. Each reason is checked: the name
 * must not be in transformers' answer (auto-mapping.json) for any task.
 */
const NOT_IN_AUTO: Record<string, string> = {
  BlipPreTrainedModel: 'the shared base of the BLIP heads, not a model',
  BlipVisionModel: 'transformers maps no Auto class for blip_vision_model',
  BlipTextLMHeadModel: 'transformers maps no Auto class for blip_text_model',
  CLIPVisionModelWithProjection: 'transformers maps no Auto class to it',
};

const registered = new Set<AutoModelClass>(AUTO_TASKS.flatMap((t) => Object.values(AUTO_MODEL_REGISTRY[t]) as AutoModelClass[]));

async function exportedModelClasses(folder: string): Promise<[string, AutoModelClass][]> {
  const mod = (await import(`../${folder}/index.ts`)) as Record<string, unknown>;
  return Object.entries(mod).filter((e): e is [string, AutoModelClass] => typeof e[1] === 'function' && (e[1] as { prototype?: unknown }).prototype instanceof PreTrainedModel);
}

describe('AUTO_MODEL_REGISTRY is transformers’ mapping', () => {
  it(`auto-mapping.json (transformers ${golden.transformers}) lists every task and model_type of the registry`, () => {
    for (const task of AUTO_TASKS) {
      expect(golden.tasks[task], `${task} missing from auto-mapping.json; ${RERUN}`).toBeDefined();
      for (const mt of autoModelTypes(task)) expect(golden.modelTypes, `${task}: model_type ${mt} missing from auto-mapping.json; ${RERUN}`).toContain(mt);
    }
  });

  it('every registry entry is the class transformers picks for (model_type, task)', () => {
    let n = 0;
    for (const task of AUTO_TASKS)
      for (const [mt, cls] of Object.entries(AUTO_MODEL_REGISTRY[task])) {
        expect(`${task}[${mt}] = ${cls.name}`).toBe(`${task}[${mt}] = ${golden.tasks[task]?.[mt] ?? 'nothing in transformers'}`);
        n++;
      }
    expect(n).toBeGreaterThanOrEqual(25);
  });

  it('every class transformers picks that tfjs-peft exports is in the registry under that (model_type, task)', async () => {
    const exported = new Map<string, AutoModelClass>();
    for (const folder of INDEX_FOLDERS) for (const [name, cls] of await exportedModelClasses(folder)) exported.set(cls.name || name, cls);
    const missing: string[] = [];
    for (const [task, byType] of Object.entries(golden.tasks))
      for (const [mt, name] of Object.entries(byType)) {
        if (name === null || !exported.has(name)) continue;
        const ours = (AUTO_MODEL_REGISTRY as Record<string, Record<string, AutoModelClass>>)[task]?.[mt];
        if (ours !== exported.get(name)) missing.push(`${task}[${mt}] = ${name}`);
      }
    expect(missing, 'transformers maps these to classes tfjs-peft has; add them to src/auto/registry.ts').toEqual([]);
  });

  it('the classes left out of the registry are ones transformers has no Auto mapping for', () => {
    const named = new Set(Object.values(golden.tasks).flatMap((byType) => Object.values(byType)));
    for (const name of Object.keys(NOT_IN_AUTO)) expect(named.has(name), `${name}: ${NOT_IN_AUTO[name]}, but auto-mapping.json names it`).toBe(false);
  });
});

describe('AUTO_MODEL_REGISTRY covers every architecture', () => {
  it('finds the architecture folders', () => {
    expect(ARCH_FOLDERS).toEqual(expect.arrayContaining(['blip', 'clip', 'distilbert', 'llama', 'qwen2', 'vit']));
  });

  for (const folder of ARCH_FOLDERS)
    it(`${folder}/ (has describe.ts): some class of its index.ts is in the registry`, async () => {
      const classes = await exportedModelClasses(folder);
      expect(classes.length, `${folder}/index.ts exports no PreTrainedModel subclass`).toBeGreaterThan(0);
      expect(
        classes.filter(([, c]) => registered.has(c)).map(([n]) => n),
        `${folder}: add its classes to src/auto/registry.ts under transformers' model_type`,
      ).not.toEqual([]);
    });

  for (const folder of INDEX_FOLDERS)
    it(`${folder}/index.ts: every exported model class is in the registry or listed (with a reason) as not in transformers' Auto mappings`, async () => {
      const left = (await exportedModelClasses(folder)).filter(([name, c]) => !registered.has(c) && !(c.name in NOT_IN_AUTO) && !(name in NOT_IN_AUTO));
      expect(
        left.map(([n]) => n),
        `${folder}: add these to src/auto/registry.ts (or to NOT_IN_AUTO in this test, saying why)`,
      ).toEqual([]);
    });
});
