import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, LayerNorm } from '@tfjs-peft/core';
import type { LnTuningConfig, MethodConfig } from './config';
import { findTargets, matchesTarget, patternKey } from './matching';
import { defaultTargets } from './defaults';
import { PeftError } from './errors';
import { AdapterLayer } from './adapter-layer';
import { LoraLinear } from './lora/lora-linear';
import { IA3Linear } from './ia3/ia3-linear';
import { LnTuningLayer } from './ln-tuning/ln-tuning-layer';
import { ModulesToSaveWrapper } from './modules-to-save';
import { selectivePredicate } from './selective/selective';

const join = (scope: string, name: string) => (scope ? `${scope}.${name}` : name);

/** Wraps the module at `path` in `wrapper` unless it is already one of that kind (then reuses it). */
function wrapAt<T extends AdapterLayer>(model: Module, path: string, make: (base: Module) => T, kind: new (...a: never[]) => T): T {
  const current = model.getSubmodule(path);
  if (current instanceof kind) return current;
  if (current instanceof AdapterLayer) {
    throw new PeftError(`${path} is already wrapped by a ${current.kind} adapter; one method per module (add the new adapter with the same method, or use a policy on another sub-module)`);
  }
  const w = make(current);
  model.replaceModule(path, w);
  return w;
}

/** modules_to_save: a trainable copy per adapter of each module whose name ends with an entry (PEFT: plain endsWith). */
export function injectModulesToSave(model: Module, names: string[], adapter: string, scope: string): string[] {
  const out: string[] = [];
  if (!names.length) return out;
  for (const [n] of model.namedModules()) {
    if (!n || (scope && !n.startsWith(`${scope}.`))) continue;
    const local = scope ? n.slice(scope.length + 1) : n;
    if (!names.some((s) => local.endsWith(s))) continue;
    if (/\.(modules_to_save\.[^.]+|original_module)(\.|$)/.test(n)) continue;
    const w = wrapAt(model, n, (b) => new ModulesToSaveWrapper(b), ModulesToSaveWrapper);
    if (!w.adapterNames().includes(adapter)) w.addAdapter(adapter);
    out.push(n);
  }
  return out;
}

/** Masks for LN tuning, keyed by module path, as tensors. */
function maskFor(c: LnTuningConfig, path: string, local: string): { weight?: tf.Tensor; bias?: tf.Tensor } | undefined {
  const m = c.masks?.[path] ?? c.masks?.[local];
  if (!m) return undefined;
  return { weight: m.weight ? tf.tensor1d(Array.from(m.weight)) : undefined, bias: m.bias ? tf.tensor1d(Array.from(m.bias)) : undefined };
}

/**
 * Injects one method into `model` inside `scope` for adapter `adapter`: wraps the targets (LoRA,
 * IA3, LN tuning), or marks parameters trainable (selective methods). Prompt methods are handled by
 * `PeftModel` (they add inputs, not wrappers). Returns the wrapped module paths.
 */
export function injectMethod(model: Module, c: MethodConfig, adapter: string, scope: string): string[] {
  const protectedNames = c.modulesToSave ?? [];
  const scoped = scope ? model.getSubmodule(scope) : model;
  switch (c.method) {
    case 'lora': {
      const targets = c.targetModules ?? defaultTargets('lora', scoped).targets;
      if (typeof targets === 'string' && (c.layersToTransform !== undefined || c.layersPattern !== undefined)) {
        throw new PeftError('layersToTransform / layersPattern cannot be used when targetModules is a regex string (as PEFT)');
      }
      const layers = { indexes: c.layersToTransform, pattern: c.layersPattern };
      const hits = findTargets(model, { targets, exclude: c.excludeModules, scope, accept: (m) => m instanceof Linear || m instanceof LoraLinear, acceptDescription: 'Linear', protectedNames, field: 'targetModules', layers });
      for (const [path] of hits) {
        // PEFT's rank_pattern / alpha_pattern: keys matched against the module name inside the adapted (sub-)model
        const local = scope ? path.slice(scope.length + 1) : path;
        const rKey = patternKey(c.rankPattern, local, 'rankPattern');
        const aKey = patternKey(c.alphaPattern, local, 'alphaPattern');
        const r = rKey !== undefined ? c.rankPattern![rKey]! : c.r ?? 8;
        const alpha = aKey !== undefined ? c.alphaPattern![aKey]! : c.loraAlpha ?? 8;
        const w = wrapAt(model, path, (b) => new LoraLinear(b as Linear), LoraLinear);
        w.addAdapter(adapter, { r, alpha, dropout: c.loraDropout ?? 0, rslora: c.useRslora ?? false, init: c.initLoraWeights ?? true });
      }
      return hits.map(([p]) => p);
    }
    case 'ia3': {
      const d = defaultTargets('ia3', scoped);
      const targets = c.targetModules ?? d.targets;
      const ff = c.feedforwardModules ?? (c.targetModules ? [] : d.feedforward ?? []);
      const hits = findTargets(model, { targets, exclude: c.excludeModules, scope, accept: (m) => m instanceof Linear || m instanceof IA3Linear, acceptDescription: 'Linear', protectedNames, field: 'targetModules' });
      for (const [path] of hits) {
        const local = scope ? path.slice(scope.length + 1) : path;
        // PEFT: feed-forward when the name ends with an entry (regex: full match)
        const isFf = typeof ff === 'string' ? matchesTarget(local, ff) : ff.some((f) => local.endsWith(f));
        const w = wrapAt(model, path, (b) => new IA3Linear(b as Linear, isFf), IA3Linear);
        w.addAdapter(adapter);
      }
      return hits.map(([p]) => p);
    }
    case 'ln-tuning': {
      const targets = c.targetModules ?? defaultTargets('ln-tuning', scoped).targets;
      const hits = findTargets(model, { targets, exclude: c.excludeModules, scope, accept: (m) => m instanceof LayerNorm || m instanceof LnTuningLayer, acceptDescription: 'LayerNorm', protectedNames, field: 'targetModules' });
      const known = new Set(hits.map(([p]) => p));
      for (const k of Object.keys(c.masks ?? {})) {
        if (!known.has(k) && !known.has(join(scope, k))) throw new PeftError(`ln-tuning masks: "${k}" is not a targeted LayerNorm; targeted: ${[...known].slice(0, 8).join(', ')}${known.size > 8 ? ', …' : ''}`);
      }
      for (const [path] of hits) {
        const local = scope ? path.slice(scope.length + 1) : path;
        const mask = maskFor(c, path, local);
        const base = model.getSubmodule(path);
        const size = (base instanceof LnTuningLayer ? base.base_layer : (base as LayerNorm)).normalizedShape;
        for (const [which, t] of Object.entries(mask ?? {})) {
          if (t && (t.shape[0] !== size || t.rank !== 1)) throw new PeftError(`ln-tuning masks: ${path}.${which} expected ${size} values, got ${t.shape[0]}`);
        }
        const w = wrapAt(model, path, (b) => new LnTuningLayer(b as LayerNorm), LnTuningLayer);
        w.addAdapter(adapter, mask);
      }
      return hits.map(([p]) => p);
    }
    case 'bitfit':
    case 'ffn-only':
    case 'attention-only':
    case 'full': {
      const pred = selectivePredicate(c, scoped);
      const names: string[] = [];
      for (const [n, p] of model.namedParameters()) {
        if (scope && !n.startsWith(`${scope}.`)) continue;
        const local = scope ? n.slice(scope.length + 1) : n;
        if (pred(local)) {
          p.requiresGrad = true;
          names.push(n);
        }
      }
      if (!names.length) throw new PeftError(`${c.method}: no parameter of ${scope || 'the model'} matches this method`, 'PEFT_NO_TARGET');
      return names;
    }
    case 'prefix-tuning':
    case 'p-tuning-v2':
    case 'prompt-tuning':
      return [];
  }
}
