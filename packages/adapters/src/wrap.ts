import type { Module } from '@tfjs-peft/core';
import { AdapterLayer } from './adapter-layer';
import { PeftError } from './errors';

/** A module path relative to the adapted sub-module (`scope` '' = the whole model). */
export const localName = (scope: string, path: string): string => (scope ? path.slice(scope.length + 1) : path);

/** Wraps the module at `path` with `make` unless it is already a wrapper of that kind (then reuses it). */
export function wrapAt<T extends AdapterLayer>(model: Module, path: string, make: (base: Module) => T, kind: abstract new (...a: never[]) => T): T {
  const current = model.getSubmodule(path);
  if (current instanceof kind) return current;
  if (current instanceof AdapterLayer) {
    throw new PeftError(
      `${path} is already wrapped by a ${current.kind} adapter; one method per module (add the new adapter with the same method, or use a policy on another sub-module)`,
    );
  }
  const w = make(current);
  model.replaceModule(path, w);
  return w;
}
