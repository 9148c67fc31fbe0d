import { ModulePathError } from '../errors';
import { Parameter } from './parameter';
import type { ModelDescription } from '../describe/model-description';

type Child = Module | Parameter;

function isChild(v: unknown): v is Child {
  return v instanceof Module || v instanceof Parameter;
}

/**
 * Base class of every layer and model. Children and parameters are found by walking the
 * instance's own fields in declaration order: a `Module` or `Parameter` field is a child; an
 * array of them gives `name.0`, `name.1`, … (PyTorch `ModuleList`). Fields whose name starts
 * with `_` are private and never walked. So a class whose fields are named like the Hugging
 * Face module has the same dotted parameter names as its state dict.
 */
export abstract class Module {
  /** Dropout and other train-only behaviour is active when true. */
  protected _training = true;

  get training(): boolean {
    return this._training;
  }

  /**
   * What this model tells PEFT methods and analyses about itself (default targets, module roles,
   * attention sizes; see `ModelDescription`), or null for a module without one. Model classes
   * override it; names in it are relative to this module.
   */
  describe(): ModelDescription | null {
    return null;
  }

  /** Direct children (modules and parameters) with their local names. */
  *namedChildren(): Generator<[string, Child]> {
    for (const [key, value] of Object.entries(this)) {
      if (key.startsWith('_')) continue;
      if (isChild(value)) {
        yield [key, value];
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (isChild(item)) yield [`${key}.${i}`, item];
        }
      } else if (value instanceof Map) {
        for (const [k, item] of value as Map<unknown, unknown>) {
          if (isChild(item)) yield [`${key}.${String(k)}`, item];
        }
      }
    }
  }

  /** Every parameter with its dotted path; a parameter shared by two modules is listed once (first path). */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const visit = (m: Module, p: string) => {
      for (const [name, child] of m.namedChildren()) {
        const path = p ? `${p}.${name}` : name;
        if (child instanceof Parameter) {
          if (!seen.has(child)) {
            seen.add(child);
            out.push([path, child]);
          }
        } else visit(child, path);
      }
    };
    visit(this, prefix);
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every module with its dotted path, this one first as `''` (or `prefix`). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    const seen = new Set<Module>([this]);
    const visit = (m: Module, p: string) => {
      for (const [name, child] of m.namedChildren()) {
        if (!(child instanceof Module) || seen.has(child)) continue;
        seen.add(child);
        const path = p ? `${p}.${name}` : name;
        out.push([path, child]);
        visit(child, path);
      }
    };
    visit(this, prefix);
    return out;
  }

  private resolve(path: string): { parent: Module; key: string; index?: number | string; value: Child } {
    const parts = path.split('.');
    let node: Module = this;
    let walked = '';
    for (let i = 0; i < parts.length; i++) {
      const children = new Map(node.namedChildren());
      // an array element spans two parts: "layer.3"
      let name = parts[i]!;
      let child = children.get(name);
      if (child === undefined && i + 1 < parts.length && children.has(`${name}.${parts[i + 1]}`)) {
        name = `${name}.${parts[i + 1]}`;
        child = children.get(name);
        i++;
      }
      if (child === undefined) {
        const available = [...new Set([...children.keys()].map((k) => k.replace(/\.(\d+)$/, '.<n>')))];
        throw new ModulePathError(path, `no child "${parts[i]}" in ${walked || '<root>'} (${node.constructor.name}); available: ${available.join(', ') || 'none'}`);
      }
      if (i === parts.length - 1) {
        const dot = name.indexOf('.');
        return dot < 0 ? { parent: node, key: name, value: child } : { parent: node, key: name.slice(0, dot), index: name.slice(dot + 1), value: child };
      }
      if (!(child instanceof Module)) throw new ModulePathError(path, `${walked ? `${walked}.` : ''}${name} is a parameter, not a module`);
      walked = walked ? `${walked}.${name}` : name;
      node = child;
    }
    throw new ModulePathError(path, 'empty path');
  }

  /** The module at a dotted path (`encoder.layer.0.attention.self.query`); `''` is this module. */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    const r = this.resolve(path);
    if (!(r.value instanceof Module)) throw new ModulePathError(path, 'is a parameter, not a module');
    return r.value;
  }

  getParameter(path: string): Parameter {
    const r = this.resolve(path);
    if (!(r.value instanceof Parameter)) throw new ModulePathError(path, 'is a module, not a parameter');
    return r.value;
  }

  /** Puts `module` where the module at `path` was (PEFT wraps layers this way); returns the old one. */
  replaceModule(path: string, module: Module): Module {
    const r = this.resolve(path);
    if (!(r.value instanceof Module)) throw new ModulePathError(path, 'is a parameter, not a module');
    const holder = (r.parent as unknown as Record<string, unknown>)[r.key];
    if (r.index === undefined) (r.parent as unknown as Record<string, unknown>)[r.key] = module;
    else if (Array.isArray(holder)) holder[Number(r.index)] = module;
    else if (holder instanceof Map) {
      const key = [...holder.keys()].find((k) => String(k) === r.index);
      holder.set(key, module);
    }
    return r.value;
  }

  /** Sets train mode (dropout on) on this module and all descendants. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m._training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Freezes the parameters the predicate selects (all when omitted); returns how many changed. */
  freeze(predicate: (name: string, p: Parameter) => boolean = () => true): number {
    return this.setRequiresGrad(false, predicate);
  }

  unfreeze(predicate: (name: string, p: Parameter) => boolean = () => true): number {
    return this.setRequiresGrad(true, predicate);
  }

  private setRequiresGrad(value: boolean, predicate: (name: string, p: Parameter) => boolean): number {
    let n = 0;
    for (const [name, p] of this.namedParameters()) {
      if (predicate(name, p) && p.requiresGrad !== value) {
        p.requiresGrad = value;
        n++;
      }
    }
    return n;
  }

  trainableParameters(): [string, Parameter][] {
    return this.namedParameters().filter(([, p]) => p.requiresGrad);
  }

  /** Disposes every parameter's variable. */
  /** Frees every parameter, and the other tensors each submodule holds (see `disposeBuffers`). */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, m] of this.namedModules()) m.disposeBuffers();
  }

  /** Override to free tensors a module keeps outside its parameters (masks, saved values); called by `dispose`. */
  protected disposeBuffers(): void {}
}
