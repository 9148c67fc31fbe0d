import { Module, type Parameter } from '@tfjs-peft/core';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from './method';

/**
 * Base of every wrapper that PEFT methods put in place of a target module. It keeps the original
 * as `base_layer` (HF PEFT's name, so paths and saved keys match) and one set of adapter weights
 * per adapter name; one adapter is active at a time, adapters can be disabled or merged.
 */
export abstract class AdapterLayer<B extends Module = Module> extends Module {
  protected _active: string | null = null;
  protected _disabled = false;
  protected _merged: string[] = [];

  constructor(public base_layer: B) {
    super();
    // a wrapper takes the place of `base_layer` in the model: it runs in that module's mode, so a
    // model in eval mode stays in eval mode (adapter dropout off) when adapters are injected into it
    this._training = base_layer.training;
  }

  /** Puts a module created for an adapter (weights, copies) in this wrapper's training/eval mode; returns it. */
  protected adopt<T extends Module>(m: T): T {
    return m.train(this.training);
  }

  abstract readonly kind: string;
  abstract adapterNames(): string[];
  /** Fold the adapter into `base_layer` (inverse: `unmerge`). */
  abstract merge(adapter: string): void;
  abstract unmerge(adapter: string): void;
  /** The adapter's tensors under PEFT's names relative to this module (`lora_A.weight`, `ia3_l`), as saved in adapter files. */
  abstract peftTensors(adapter: string): NamedTensor[];
  /** Removes an adapter's weights (disposing them). */
  abstract deleteAdapter(adapter: string): void;

  get activeAdapter(): string | null {
    return this._active;
  }
  get merged(): readonly string[] {
    return this._merged;
  }
  /** Whether the adapter path runs in forward (active, enabled, not already merged). */
  protected useAdapter(): string | null {
    if (this._disabled || this._active == null || this._merged.includes(this._active)) return null;
    return this._active;
  }

  setActive(adapter: string | null): void {
    this._active = adapter;
  }
  setDisabled(disabled: boolean): void {
    this._disabled = disabled;
  }
  mergeActive(): void {
    if (this._active && !this._merged.includes(this._active)) {
      this.merge(this._active);
      this._merged.push(this._active);
    }
  }
  unmergeAll(): void {
    while (this._merged.length) this.unmerge(this._merged.pop()!);
  }

  /**
   * Removes the wrapper for `mergeAndUnload` (call after merging): disposes every adapter's weights
   * and the tensors the wrapper keeps (merge backups, masks). Returns the module that takes its place
   * and the modules left out of the model, whose parameters the caller frees unless something else in
   * the model still holds them (tied weights).
   */
  unload(): { replacement: Module; discarded: Module[] } {
    for (const n of this.adapterNames()) this.deleteAdapter(n);
    this.disposeBuffers();
    this._merged = [];
    this._active = null;
    return { replacement: this.base_layer, discarded: [] };
  }
}

/** A parameter saved as is under `name`. */
export const parameterTensor = (name: string, p: Parameter): NamedTensor => ({
  name,
  shape: p.shape,
  read: () => tf.clone(p.value),
  write: (t) => p.assign(t, name),
  parameter: p,
});
