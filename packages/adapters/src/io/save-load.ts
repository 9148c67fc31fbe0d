import * as tf from '@tensorflow/tfjs-core';
import { Module, encodeSafetensors, exists, joinPath, readSafetensors, readText, rawToTypedArray, writeFileAtomic, type FileLocation } from '@tfjs-peft/core';
import type { MethodConfig } from '../config';
import { PeftError } from '../errors';
import { PeftModel, applyPeft } from '../peft-model';
import { attentionShape } from '../prompt-inputs';
import { adapterTensors } from './adapter-tensors';
import { fromAdapterConfigJson, toAdapterConfigJson } from './peft-config';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/**
 * Writes each adapter in Hugging Face PEFT's format: `adapter_config.json` and
 * `adapter_model.safetensors`, the `default` adapter in `dir`, others in `dir/<name>/`. An adapter
 * applied to a sub-module (a policy) is written per sub-module in `…/<sub-module>/`, loadable by
 * PEFT on that sub-module (as MILE wraps `text_decoder`), plus `tfjs_peft_policy.json`.
 */
export async function savePeft(peft: PeftModel, dir: FileLocation, options: { adapters?: string[]; baseModel?: string } = {}): Promise<string[]> {
  const written: string[] = [];
  for (const name of options.adapters ?? [...peft.configs.keys()]) {
    const root = name === 'default' ? dir : joinPath(dir, name);
    const entries = peft.entries.filter((e) => e.adapter === name);
    const config = peft.configs.get(name)!;
    for (const e of entries) {
      const folder = config.method === 'policy' ? joinPath(root, e.scope) : root;
      const tensors = new Map<string, tf.Tensor>();
      for (const t of adapterTensors(peft, e)) tensors.set(t.key, t.read());
      try {
        await writeFileAtomic(joinPath(folder, ADAPTER_WEIGHTS), await encodeSafetensors(tensors, { metadata: { format: 'pt' } }));
      } finally {
        tf.dispose([...tensors.values()]);
      }
      const scoped = e.scope ? peft.base_model.getSubmodule(e.scope) : peft.base_model;
      const c = e.config.method === 'full-scope' ? ({ method: 'full' } as MethodConfig) : (e.config as MethodConfig);
      const prompt = c.method === 'prefix-tuning' || c.method === 'p-tuning-v2' || c.method === 'prompt-tuning' ? attentionShape(scoped, e.scope || 'model') : undefined;
      const json = toAdapterConfigJson(c, scoped, { baseModel: options.baseModel, prompt: prompt && { numLayers: prompt.numLayers, numHeads: prompt.numHeads, tokenDim: prompt.hidden } });
      const sorted = Object.fromEntries(Object.entries(json).sort(([x], [y]) => (x < y ? -1 : 1)));
      await writeFileAtomic(joinPath(folder, ADAPTER_CONFIG), `${JSON.stringify(sorted, null, 2)}\n`);
      written.push(String(folder));
    }
    if (config.method === 'policy') {
      await writeFileAtomic(joinPath(root, 'tfjs_peft_policy.json'), `${JSON.stringify({ modules: Object.fromEntries(Object.entries(config.modules).map(([k, v]) => [k, typeof v === 'string' ? v : v.method])), rest: config.rest ?? 'frozen' }, null, 2)}\n`);
    }
  }
  return written;
}

async function readJson(path: FileLocation): Promise<{ json: Record<string, unknown>; label: string }> {
  const { text, label } = await readText(path);
  try {
    return { json: JSON.parse(text) as Record<string, unknown>, label };
  } catch (e) {
    throw new PeftError(`${label}: not valid JSON (${(e as Error).message})`);
  }
}

async function loadEntryWeights(peft: PeftModel, adapter: string, scope: string, folder: FileLocation): Promise<void> {
  const entry = peft.entries.find((e) => e.adapter === adapter && e.scope === scope)!;
  const file = await readSafetensors(joinPath(folder, ADAPTER_WEIGHTS));
  const label = String(joinPath(folder, ADAPTER_WEIGHTS));
  const expected = adapterTensors(peft, entry);
  const keys = new Set(expected.map((t) => t.key));
  const missing = expected.filter((t) => !file.tensors.has(t.key)).map((t) => t.key);
  const unexpected = [...file.tensors.keys()].filter((k) => !keys.has(k));
  const badShape = expected.filter((t) => file.tensors.has(t.key) && file.tensors.get(t.key)!.shape.join(',') !== t.shape.join(','));
  if (missing.length || unexpected.length || badShape.length) {
    const lines = [
      missing.length ? `missing keys (${missing.length}): ${missing.join(', ')}` : '',
      unexpected.length ? `unexpected keys (${unexpected.length}): ${unexpected.join(', ')}` : '',
      ...badShape.map((t) => `${t.key} expected [${t.shape.join(',')}], got [${file.tensors.get(t.key)!.shape.join(',')}]`),
    ].filter(Boolean);
    throw new PeftError(`${label} does not fit the model:\n  ${lines.join('\n  ')}`, 'PEFT_WEIGHTS_MISMATCH');
  }
  for (const t of expected) {
    const raw = file.tensors.get(t.key)!;
    const v = tf.tensor(rawToTypedArray(raw, t.key), raw.shape, 'float32');
    t.write(v);
    v.dispose();
  }
}

/**
 * Loads a PEFT adapter folder (ours or Hugging Face PEFT's) onto `model`: a bare model gets a new
 * `PeftModel`, a `PeftModel` gets another named adapter. As PEFT, a loaded adapter is frozen unless
 * `isTrainable`.
 */
export async function loadPeft<M extends Module>(
  model: M | PeftModel<M>,
  dir: FileLocation,
  options: { adapterName?: string; isTrainable?: boolean } = {},
): Promise<PeftModel<M>> {
  const name = options.adapterName ?? 'default';
  const policyPath = joinPath(dir, 'tfjs_peft_policy.json');
  let peft: PeftModel<M>;
  if (await exists(policyPath)) {
    const { json } = await readJson(policyPath);
    const modules: Record<string, 'frozen' | 'full' | MethodConfig> = {};
    for (const [scope, kind] of Object.entries(json.modules as Record<string, string>)) {
      if (kind === 'frozen') modules[scope] = 'frozen';
      else {
        const { json: cfg, label } = await readJson(joinPath(dir, `${scope}/${ADAPTER_CONFIG}`));
        modules[scope] = kind === 'full' ? 'full' : fromAdapterConfigJson(cfg, label);
      }
    }
    const config = { method: 'policy' as const, modules, rest: (json.rest as 'frozen' | 'full') ?? 'frozen' };
    peft = model instanceof PeftModel ? model.addAdapter(name, config) : applyPeft(model, config, { adapterName: name });
    for (const [scope, p] of Object.entries(modules)) if (p !== 'frozen') await loadEntryWeights(peft, name, scope, joinPath(dir, scope));
  } else {
    const cfgPath = joinPath(dir, ADAPTER_CONFIG);
    if (!(await exists(cfgPath))) throw new PeftError(`${String(dir)}: no ${ADAPTER_CONFIG} (not a PEFT adapter folder)`);
    const { json, label } = await readJson(cfgPath);
    const config = fromAdapterConfigJson(json, label);
    peft = model instanceof PeftModel ? model.addAdapter(name, config) : applyPeft(model, config, { adapterName: name });
    await loadEntryWeights(peft, name, '', dir);
  }
  if (!options.isTrainable) for (const [, p] of peft.trainableParameters()) p.requiresGrad = false;
  return peft;
}
