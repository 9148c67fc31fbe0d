import { Module } from '@tfjs-peft/core';
import { PeftError } from './errors';
import type { TargetSpec } from './config';

/** PEFT's rule: a string is a full-match regex; a list matches exact names or dot-bounded suffixes. */
export function matchesTarget(name: string, spec: TargetSpec): boolean {
  if (typeof spec === 'string') {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${spec})$`);
    } catch (e) {
      throw new PeftError(`targetModules: ${JSON.stringify(spec)} is not a valid regular expression (${(e as Error).message})`);
    }
    return re.test(name);
  }
  return spec.some((t) => name === t || name.endsWith(`.${t}`));
}

/** Module names grouped by their last segment with a count, for "target matched nothing" errors. */
export function describeModules(names: string[]): string {
  const groups = new Map<string, number>();
  for (const n of names) {
    const last = n.split('.').pop()!;
    groups.set(last, (groups.get(last) ?? 0) + 1);
  }
  return [...groups].map(([k, c]) => `${k} (${c})`).join(', ');
}

/**
 * PEFT's `layers_to_transform` rule (`check_target_module_exists`): the layer index is the number
 * after the first `<layersPattern>.` segment (`(?:^|.*?\.)pattern\.(\d+)\.`), or, with no
 * pattern, after the first `<segment>.` that follows a dot (`.*?\.[^.]*\.(\d+)\.`). A name
 * without an index is not transformed. An empty index list means every layer.
 */
export function inLayers(name: string, indexes: number | number[] | undefined, pattern?: string | string[] | null): boolean {
  if (indexes === undefined || (Array.isArray(indexes) && indexes.length === 0)) return true;
  let idx: string | undefined;
  const patterns = pattern == null || pattern.length === 0 ? [] : typeof pattern === 'string' ? [pattern] : pattern;
  if (!patterns.length) idx = /^.*?\.[^.]*\.(\d+)\./.exec(name)?.[1];
  else {
    for (const p of patterns) {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:^|.*?\\.)${p}\\.(\\d+)\\.`);
      } catch (e) {
        throw new PeftError(`layersPattern: ${JSON.stringify(p)} is not a valid regular expression (${(e as Error).message})`);
      }
      idx = re.exec(name)?.[1];
      if (idx !== undefined) break;
    }
  }
  if (idx === undefined) return false;
  const i = Number(idx);
  return typeof indexes === 'number' ? i === indexes : indexes.includes(i);
}

/**
 * PEFT's `get_pattern_key`: the first key of `pattern` (insertion order) for which
 * `^(.*\.)?(key)$` matches `name`, or undefined. Used for `rank_pattern` / `alpha_pattern`.
 */
export function patternKey(pattern: Record<string, unknown> | undefined, name: string, field = 'rankPattern'): string | undefined {
  for (const key of Object.keys(pattern ?? {})) {
    let re: RegExp;
    try {
      re = new RegExp(`^(.*\\.)?(${key})$`);
    } catch (e) {
      throw new PeftError(`${field}: key ${JSON.stringify(key)} is not a valid regular expression (${(e as Error).message})`);
    }
    if (re.test(name)) return key;
  }
  return undefined;
}

export interface FindOptions {
  targets: TargetSpec;
  exclude?: TargetSpec | null;
  /** only modules whose path is inside this sub-module */
  scope?: string;
  /** modules of these types only (e.g. Linear for LoRA) */
  accept: (m: Module) => boolean;
  acceptDescription: string;
  /** names that can never be targets (modules_to_save) */
  protectedNames?: string[];
  field: string;
  /** PEFT `layers_to_transform` / `layers_pattern` (list targets only; exact names are not filtered) */
  layers?: { indexes?: number | number[]; pattern?: string | string[] };
}

/**
 * The modules to wrap, as PEFT's injector finds them: exclude first, then the target spec, only
 * modules of an accepted type. A spec that matches nothing is an error listing the available
 * module names grouped by suffix.
 */
export function findTargets(model: Module, o: FindOptions): [string, Module][] {
  const inScope = model.namedModules().filter(([n]) => n !== '' && (!o.scope || n === o.scope || n.startsWith(`${o.scope}.`)));
  const local = (n: string) => (o.scope ? n.slice(o.scope.length + 1) : n);
  const isProtected = (n: string) => (o.protectedNames ?? []).some((p) => new RegExp(`(^|.*\\.)${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|\\..*)`).test(n));
  const hits = inScope.filter(([n, m]) => {
    const name = local(n);
    if (o.exclude && matchesTarget(name, o.exclude)) return false;
    if (isProtected(name)) return false;
    if (!matchesTarget(name, o.targets) || !o.accept(m)) return false;
    return typeof o.targets === 'string' || o.targets.includes(name) || inLayers(name, o.layers?.indexes, o.layers?.pattern);
  });
  if (hits.length === 0) {
    const candidates = inScope.filter(([, m]) => o.accept(m)).map(([n]) => local(n));
    throw new PeftError(
      `${o.field} ${JSON.stringify(o.targets)} matched no ${o.acceptDescription}${o.scope ? ` in ${o.scope}` : ''}. ` +
        `Available ${o.acceptDescription} names by suffix: ${describeModules(candidates) || 'none'}`,
      'PEFT_NO_TARGET',
    );
  }
  return hits;
}
