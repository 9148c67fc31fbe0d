import * as tf from '@tensorflow/tfjs-core';
import { Module, exists, joinPath, readSafetensors, readText, rawToTypedArray, resolvePretrained, type FileLocation, type HubOptions, type Parameter } from '@tfjs-peft/core';
import type { MethodConfig } from '../config';
import { PeftError } from '../errors';
import { PeftModel, applyPeft } from '../peft-model';
import { AdapterLayer } from '../adapter-layer';
import { definitionOf } from '../registry';
import { adapterTensors } from './adapter-tensors';
import { fromAdapterConfigJson } from './peft-config';
import { parsePolicyFile } from '../config-schema';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS } from './save';

/** The sub-module a policy names (a plain dot path, so its folder stays inside the adapter folder), or a PeftError. */
function subModule(model: Module, scope: string, label: string): Module {
  try {
    return model.getSubmodule(scope);
  } catch (e) {
    throw new PeftError(`${label}: "modules.${scope}": ${(e as Error).message}`);
  }
}
/** The method a file written for `method` reads back as (a projected prefix loads as P-Tuning v2). */
const loadsAs = (method: string) => definitionOf(method).loadsAs?.(method) ?? method;
const sameKind = (kind: string, method: string) => loadsAs(kind) === loadsAs(method);

/** Errors from applying a file's config (a target that matches nothing, a bad regex) name the file. */
function inFile<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PeftError && !e.message.includes(label)) throw new PeftError(`${label}: ${e.message}`, e.code);
    throw e;
  }
}

export async function readJson(path: FileLocation): Promise<{ json: Record<string, unknown>; label: string }> {
  const { text, label } = await readText(path);
  try {
    return { json: JSON.parse(text) as Record<string, unknown>, label };
  } catch (e) {
    throw new PeftError(`${label}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Checks the weights file of one entry against what the model expects (missing, unexpected keys,
 * shapes) and returns what writes them, so that every file is checked before any weight changes.
 */
async function readEntryWeights(peft: PeftModel, adapter: string, scope: string, folder: FileLocation): Promise<() => void> {
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
  return () => {
    for (const t of expected) {
      const raw = file.tensors.get(t.key)!;
      const v = tf.tensor(rawToTypedArray(raw, t.key), raw.shape, 'float32');
      t.write(v);
      v.dispose();
    }
  };
}

/**
 * Undoes adding adapter `name` when its files do not fit: removes its weights from every wrapper
 * (disposing them), unwraps wrappers left without adapters, drops its prompt encoders, entries and
 * config, and restores which parameters train. The model is as before the call, with no tensor left.
 */
function removeAdapter(peft: PeftModel, name: string, requiresGrad: Map<Parameter, boolean>): void {
  const wrapped = peft.base_model.namedModules().filter(([, m]) => m instanceof AdapterLayer) as [string, AdapterLayer][];
  for (const [path, w] of wrapped.reverse()) {
    if (w.adapterNames().includes(name)) w.deleteAdapter(name);
    if (!w.adapterNames().length) peft.base_model.replaceModule(path, w.base_layer);
  }
  for (const [key, enc] of [...peft.prompt_encoder]) {
    if (key !== name && !key.startsWith(`${name}__`)) continue;
    enc.dispose();
    peft.prompt_encoder.delete(key);
  }
  for (let i = peft.entries.length - 1; i >= 0; i--) if (peft.entries[i]!.adapter === name) peft.entries.splice(i, 1);
  peft.configs.delete(name);
  for (const [p, g] of requiresGrad) if (!p.variable.isDisposed) p.requiresGrad = g;
}

/**
 * Loads a PEFT adapter folder (ours or Hugging Face PEFT's) onto `model`: a bare model gets a new
 * `PeftModel`, a `PeftModel` gets another named adapter. As PEFT, a loaded adapter is frozen unless
 * `isTrainable`. Every weights file is checked before any weight is written; when one does not fit,
 * the adapter is removed again and the model is left as it was.
 */
export async function loadPeft<M extends Module>(
  model: M | PeftModel<M>,
  nameOrPath: FileLocation,
  options: { adapterName?: string; isTrainable?: boolean } & HubOptions = {},
): Promise<PeftModel<M>> {
  const dir = await resolvePretrained(nameOrPath, options); // a hub repo id loads through the cache
  const name = options.adapterName ?? 'default';
  const policyPath = joinPath(dir, 'tfjs_peft_policy.json');
  const requiresGrad = new Map(model.parameters().map((p) => [p, p.requiresGrad] as [Parameter, boolean]));
  let peft: PeftModel<M>;
  const writes: (() => void)[] = [];
  /** Checks the files of the new adapter; if one does not fit, the model is left as it was. */
  const check = async (scope: string, folder: FileLocation) => {
    try {
      writes.push(await readEntryWeights(peft, name, scope, folder));
    } catch (e) {
      removeAdapter(peft, name, requiresGrad);
      throw e;
    }
  };
  if (await exists(policyPath)) {
    const { json, label: policyLabel } = await readJson(policyPath);
    const policy = parsePolicyFile(json, policyLabel);
    const base = model instanceof PeftModel ? model.base_model : model;
    const modules: Record<string, 'frozen' | 'full' | MethodConfig> = {};
    for (const [scope, kind] of Object.entries(policy.modules)) {
      if (kind === 'frozen') {
        modules[scope] = 'frozen';
        continue;
      }
      // the scope is checked against the model (and is a plain module path) before its folder is read
      const sub = subModule(base, scope, policyLabel);
      const { json: cfg, label } = await readJson(joinPath(dir, `${scope}/${ADAPTER_CONFIG}`));
      const c = fromAdapterConfigJson(cfg, label, sub);
      if (kind !== 'full' && !sameKind(kind, c.method)) throw new PeftError(`${label}: ${policyLabel} says "${scope}" is ${kind}, but this file holds ${c.method}`);
      modules[scope] = kind === 'full' ? 'full' : c;
    }
    const config = { method: 'policy' as const, modules, rest: policy.rest };
    peft = inFile(policyLabel, () => (model instanceof PeftModel ? model.addAdapter(name, config) : applyPeft(model, config, { adapterName: name })));
    for (const [scope, p] of Object.entries(modules)) if (p !== 'frozen') await check(scope, joinPath(dir, scope));
  } else {
    const cfgPath = joinPath(dir, ADAPTER_CONFIG);
    if (!(await exists(cfgPath))) throw new PeftError(`${String(dir)}: no ${ADAPTER_CONFIG} (not a PEFT adapter folder)`);
    const { json, label } = await readJson(cfgPath);
    const config = fromAdapterConfigJson(json, label, model instanceof PeftModel ? model.base_model : model);
    peft = inFile(label, () => (model instanceof PeftModel ? model.addAdapter(name, config) : applyPeft(model, config, { adapterName: name })));
    await check('', dir);
  }
  for (const write of writes) write();
  // As PEFT's `load_adapter` (`if not is_trainable: self.eval()`): an adapter loaded for inference
  // leaves the whole model in eval mode, so dropout (lora_dropout, the model's own) is off and two
  // forwards give the same outputs. With `isTrainable` the mode is left as it is, as in PEFT: the
  // wrappers run in the mode of the modules they replace (a model from `fromPretrained` is in eval
  // mode, as in transformers), and training starts with `model.train()`.
  if (!options.isTrainable) {
    for (const [, p] of peft.trainableParameters()) p.requiresGrad = false;
    peft.eval();
    peft.frozenReason = `the model has no trainable parameters: adapter "${name}" was loaded frozen, for inference, because loadPeft / AutoPeftModel*.fromPretrained was called without { isTrainable: true } (as PEFT's is_trainable=False); load it with { isTrainable: true } to train it`;
  } else peft.frozenReason = null;
  return peft;
}
