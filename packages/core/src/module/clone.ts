import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Parameter } from './parameter';

/**
 * A deep copy of a module: same class, new `Parameter`s holding copies of the values (with the same
 * `requiresGrad`), sub-modules cloned recursively; other fields (configs, functions) are shared.
 * What PEFT's `copy.deepcopy` does for `modules_to_save` and LN tuning.
 */
export function cloneModule<T extends Module>(m: T, seen = new Map<object, unknown>()): T {
  const cloneValue = (v: unknown): unknown => {
    if (v instanceof Parameter) {
      if (!seen.has(v)) seen.set(v, new Parameter(tf.clone(v.value), { requiresGrad: v.requiresGrad, name: 'clone' }));
      return seen.get(v);
    }
    if (v instanceof Module) return cloneModule(v, seen);
    if (Array.isArray(v) && v.some((x) => x instanceof Module || x instanceof Parameter)) return v.map(cloneValue);
    if (v instanceof Map && [...v.values()].some((x) => x instanceof Module || x instanceof Parameter)) {
      return new Map([...v].map(([k, x]) => [k, cloneValue(x)]));
    }
    return v;
  };
  if (seen.has(m)) return seen.get(m) as T;
  const copy = Object.create(Object.getPrototypeOf(m)) as T;
  seen.set(m, copy);
  for (const [k, v] of Object.entries(m)) (copy as unknown as Record<string, unknown>)[k] = cloneValue(v);
  return copy;
}
