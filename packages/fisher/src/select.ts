import type { FisherResult } from './fisher-result';
import { layerOf } from './components';
import { FisherError } from './errors';

/** 0/1 masks per parameter name (`…LayerNorm.weight`, `…LayerNorm.bias`). */
export type ParameterMasks = Map<string, Uint8Array>;

export interface SelectOptions {
  /** 'global' ranks every element together (default); 'per-layer' keeps the fraction within each encoder layer (embeddings and other LayerNorms form one more group) */
  scope?: 'global' | 'per-layer';
  /** only parameters whose name passes (default: all in the result) */
  params?: (name: string) => boolean;
}

/**
 * The top `fraction` of elements by Fisher value: exactly round(fraction · n) ones per group
 * (ties broken by parameter order, then index, so the result is deterministic).
 */
export function selectTopK(fisher: FisherResult, fraction: number, o: SelectOptions = {}): ParameterMasks {
  if (!(fraction >= 0 && fraction <= 1)) throw new FisherError('BAD_FRACTION', `selectTopK: fraction must be in [0, 1], got ${fraction}`);
  const names = [...fisher.values.keys()].filter((n) => o.params?.(n) ?? true);
  if (!names.length) throw new FisherError('NO_PARAMS', 'selectTopK: no parameter selected');
  const masks: ParameterMasks = new Map(names.map((n) => [n, new Uint8Array(fisher.values.get(n)!.length)]));
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const key = o.scope === 'per-layer' ? String(layerOf(n) ?? 'rest') : 'all';
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  for (const members of groups.values()) {
    const items: { v: number; name: string; i: number; order: number }[] = [];
    members.forEach((name, order) => fisher.values.get(name)!.forEach((v, i) => items.push({ v, name, i, order })));
    items.sort((a, b) => b.v - a.v || a.order - b.order || a.i - b.i);
    const k = Math.round(fraction * items.length);
    for (let j = 0; j < k; j++) masks.get(items[j]!.name)![items[j]!.i] = 1;
  }
  return masks;
}

function combine(all: ParameterMasks[], op: (a: number, b: number) => number, what: string): ParameterMasks {
  if (!all.length) throw new FisherError('NO_MASKS', `${what}: give at least one mask set`);
  const out: ParameterMasks = new Map([...all[0]!].map(([n, m]) => [n, Uint8Array.from(m)]));
  for (const masks of all.slice(1)) {
    if (masks.size !== out.size || [...masks.keys()].some((n) => !out.has(n))) throw new FisherError('MASK_MISMATCH', `${what}: the mask sets cover different parameters`);
    for (const [n, m] of masks) {
      const o = out.get(n)!;
      if (o.length !== m.length) throw new FisherError('MASK_MISMATCH', `${what}: ${n} has ${o.length} elements in one set and ${m.length} in another`);
      for (let i = 0; i < m.length; i++) o[i] = op(o[i]!, m[i]!);
    }
  }
  return out;
}

/** Elements selected in any of the sets (e.g. across cross-validation folds or tasks). */
export const unionMasks = (all: ParameterMasks[]): ParameterMasks => combine(all, (a, b) => a | b, 'unionMasks');
/** Elements selected in every set. */
export const intersectMasks = (all: ParameterMasks[]): ParameterMasks => combine(all, (a, b) => a & b, 'intersectMasks');

/** Selected and total element counts. */
export function maskCount(masks: ParameterMasks): { selected: number; total: number } {
  let selected = 0;
  let total = 0;
  for (const m of masks.values()) {
    total += m.length;
    for (const v of m) selected += v;
  }
  return { selected, total };
}

/**
 * Masks in the form ln-tuning's masked mode takes: `{ method: 'ln-tuning', masks }` with one
 * entry per LayerNorm module path, `{ weight, bias }` each (a module with nothing selected gets
 * zeros, so it stays frozen rather than being trained in full).
 */
export function toLnTuningMasks(masks: ParameterMasks): Record<string, { weight?: Uint8Array; bias?: Uint8Array }> {
  const out: Record<string, { weight?: Uint8Array; bias?: Uint8Array }> = {};
  for (const [name, m] of masks) {
    const mm = name.match(/^(.*)\.(weight|bias)$/);
    if (!mm) throw new FisherError('BAD_NAME', `toLnTuningMasks: ${name} is not a <module>.weight or <module>.bias name`);
    (out[mm[1]!] ??= {})[mm[2] as 'weight' | 'bias'] = m;
  }
  return out;
}
