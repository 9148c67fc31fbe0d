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
    return matchesTarget(name, o.targets) && o.accept(m);
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
