import type { Module } from '@tfjs-peft/core';
import type { MethodConfig } from './config';
import { definitionOf } from './registry';
import { ModulesToSaveWrapper } from './modules-to-save';
import { localName, wrapAt } from './wrap';

/** modules_to_save: a trainable copy per adapter of each module whose name ends with an entry (PEFT: plain endsWith). */
export function injectModulesToSave(model: Module, names: string[], adapter: string, scope: string): string[] {
  const out: string[] = [];
  if (!names.length) return out;
  for (const [n] of model.namedModules()) {
    if (!n || (scope && !n.startsWith(`${scope}.`))) continue;
    if (!names.some((s) => localName(scope, n).endsWith(s))) continue;
    if (/\.(modules_to_save\.[^.]+|original_module)(\.|$)/.test(n)) continue;
    const w = wrapAt(model, n, (b) => new ModulesToSaveWrapper(b), ModulesToSaveWrapper);
    if (!w.adapterNames().includes(adapter)) w.addAdapter(adapter);
    out.push(n);
  }
  return out;
}

/**
 * Injects one method into `model` inside `scope` for adapter `adapter`, through its definition:
 * wraps the targets, or marks parameters trainable. Prompt methods add inputs instead (see
 * `PeftModel`) and inject nothing. Returns the wrapped module paths or trained parameter names.
 */
export function injectMethod(model: Module, c: MethodConfig, adapter: string, scope: string): string[] {
  const d = definitionOf(c.method);
  if (!d.inject) return [];
  return d.inject(c, { model, scope, scoped: scope ? model.getSubmodule(scope) : model, adapter, protectedNames: c.modulesToSave ?? [] });
}
