import { Module, cloneModule } from '@tfjs-peft/core';
import { AdapterLayer, parameterTensor } from './adapter-layer';
import type { NamedTensor } from './method';

/**
 * HF PEFT's `ModulesToSaveWrapper`: keeps `original_module` and a trainable deep copy per adapter
 * in `modules_to_save`; forward runs the active copy. Saved as the module's own keys.
 */
export class ModulesToSaveWrapper extends AdapterLayer {
  readonly kind = 'modules-to-save';
  modules_to_save = new Map<string, Module>();

  constructor(public original_module: Module) {
    super(original_module);
  }

  override namedChildren(): Generator<[string, Module]> {
    // `base_layer` is an alias of original_module here: list it once, under PEFT's name
    const self = this;
    return (function* () {
      yield ['original_module', self.original_module] as [string, Module];
      for (const [k, m] of self.modules_to_save) yield [`modules_to_save.${k}`, m] as [string, Module];
    })();
  }

  addAdapter(name: string): void {
    this.original_module.freeze(); // as PEFT: only the copies train
    const copy = this.adopt(cloneModule(this.original_module));
    copy.unfreeze();
    this.modules_to_save.set(name, copy);
    if (this._active == null) this._active = name;
  }
  adapterNames(): string[] {
    return [...this.modules_to_save.keys()];
  }
  /** Saved under the module's own parameter names (`weight`, `bias`), as PEFT does. */
  peftTensors(name: string): NamedTensor[] {
    const m = this.modules_to_save.get(name);
    return m ? m.namedParameters().map(([n, p]) => parameterTensor(n, p)) : [];
  }
  forward(...args: unknown[]): unknown {
    const name = this._disabled ? null : this._active;
    const m = (name != null && this.modules_to_save.get(name)) || this.original_module;
    return (m as unknown as { forward(...a: unknown[]): unknown }).forward(...args);
  }
  /** Merging a modules_to_save copy means using it as the module (mergeAndUnload); nothing to fold in place. */
  merge(): void {}
  unmerge(): void {}
  /** The active copy takes the module's place; the other copies are disposed, the original is discarded. */
  override unload(): { replacement: Module; discarded: Module[] } {
    const keep = this._active;
    for (const n of this.adapterNames()) if (n !== keep) this.deleteAdapter(n);
    if (keep == null) return { replacement: this.original_module, discarded: [] };
    const copy = this.modules_to_save.get(keep)!;
    this.modules_to_save.delete(keep);
    this._active = null;
    return { replacement: copy, discarded: [this.original_module] };
  }
  deleteAdapter(name: string): void {
    this.modules_to_save.get(name)?.dispose();
    this.modules_to_save.delete(name);
    if (this._active === name) this._active = this.adapterNames()[0] ?? null;
  }
}
