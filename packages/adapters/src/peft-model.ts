import * as tf from '@tensorflow/tfjs-core';
import { Module, countParameters, formatBytes, type FileLocation } from '@tfjs-peft/core';
import type { MethodConfig, PeftConfig } from './config';
import { matchesTarget } from './matching';
import { PeftError } from './errors';
import { adapterOptions, formatIssues, validatePeftOptions } from './config-schema';
import { injectMethod, injectModulesToSave } from './inject';
import { AdapterLayer } from './adapter-layer';
import type { PromptEncoder } from './method';
import { ADAPTER_SEGMENTS, definitionOf } from './registry';
import { savePeft } from './io/save';

/** One method applied to one sub-module (`scope` '' = the whole model) for one adapter. */
export interface AdapterEntry {
  adapter: string;
  scope: string;
  /** the method's config (a policy's `'full'` sub-module: `{ method: 'full' }`) */
  config: MethodConfig;
  /** wrapped module paths, or trained parameter names for selective methods */
  targets: string[];
  modulesToSave: string[];
}

const HEAD_TASKS: [RegExp, 'SEQ_CLS' | 'TOKEN_CLS' | 'CAUSAL_LM'][] = [
  [/ForSequenceClassification$|ForImageClassification$/, 'SEQ_CLS'],
  [/ForTokenClassification$/, 'TOKEN_CLS'],
  [/ForCausalLM$/, 'CAUSAL_LM'],
];

/** The wrapped model's `forward` input (its first parameter), so `PeftModel<M>.forward` is typed as `M.forward`. */
export type ForwardInputs<M> = M extends { forward(i: infer I, ...rest: never[]): unknown } ? ([I] extends [never] ? Record<string, unknown> : I) : Record<string, unknown>;
/** The wrapped model's `forward` output. */
export type ForwardOutput<M> = M extends { forward(...a: never[]): infer R } ? R : unknown;

const isPrompt = (c: { method: string }): boolean => definitionOf(c.method).kind === 'prompt';

/**
 * A model with PEFT adapters (HF `PeftModel`). The adapters live inside `base_model` (wrappers at
 * the targets) or in `prompt_encoder` (prompt methods). Train `trainableParameters()`; save with
 * `savePeft`, load with `loadPeft`.
 */
export class PeftModel<M extends Module = Module> extends Module {
  prompt_encoder = new Map<string, PromptEncoder>();
  readonly entries: AdapterEntry[] = [];
  readonly configs = new Map<string, PeftConfig>();
  private _active = 'default';
  private _disabled = false;
  /**
   * Why `trainableParameters()` is empty, when it is because `loadPeft` (or
   * `AutoPeftModel*.fromPretrained`) loaded an adapter frozen, for inference, without
   * `{ isTrainable: true }`; `null` otherwise. The Trainer's "no trainable parameters" error reads it.
   */
  frozenReason: string | null = null;

  constructor(public base_model: M) {
    super();
    this._training = base_model.training; // the handle runs in the model's mode (see AdapterLayer)
  }

  get activeAdapter(): string {
    return this._active;
  }
  get model(): M {
    return this.base_model;
  }

  /** Adds adapter `name` (new adapters are inactive unless they are the first, as PEFT). */
  addAdapter(name: string, config: PeftConfig): this {
    validatePeftOptions(config, this.configs.size ? `addAdapter("${name}")` : 'applyPeft');
    if (this.configs.has(name)) throw new PeftError(`adapter "${name}" already exists; adapters: ${[...this.configs.keys()].join(', ')}`);
    if (name.includes('.') || name === '') throw new PeftError(`adapter name ${JSON.stringify(name)} must be non-empty and contain no dots`);
    const first = this.configs.size === 0;
    if (first) this.base_model.freeze();
    const plan: [string, MethodConfig | 'full'][] =
      config.method === 'policy' ? Object.entries(config.modules).flatMap(([scope, p]) => (p === 'frozen' ? [] : [[scope, p] as [string, MethodConfig | 'full']])) : [['', config]];
    if (config.method === 'policy') {
      for (const scope of Object.keys(config.modules)) this.base_model.getSubmodule(scope); // throws, listing the children, if absent
      if (config.rest === 'full') {
        const listed = Object.keys(config.modules);
        this.base_model.unfreeze((n) => !listed.some((s) => n.startsWith(`${s}.`)));
      }
    }
    for (const [scope, c] of plan) {
      if (c === 'full') {
        this.base_model.unfreeze((n) => n.startsWith(`${scope}.`));
        const params = this.base_model
          .namedParameters()
          .filter(([n]) => n.startsWith(`${scope}.`))
          .map(([n]) => n);
        this.entries.push({ adapter: name, scope, config: { method: 'full' }, targets: params, modulesToSave: [] });
        continue;
      }
      const { modulesToSave: mts, taskType } = this.modulesToSaveFor(c, scope);
      const scopedModule = scope ? this.base_model.getSubmodule(scope) : this.base_model;
      let targets: string[];
      if (isPrompt(c)) targets = [this.addPromptEncoder(name, scope, c, scopedModule)];
      else targets = injectMethod(this.base_model, c, name, scope);
      const saved = injectModulesToSave(this.base_model, mts, name, scope);
      if (definitionOf(c.method).kind === 'select') {
        // selective methods: parameters now inside a modules_to_save wrapper are trained (and saved) there
        const live = new Set(this.base_model.namedParameters().map(([n]) => n));
        targets = targets.filter((t) => live.has(t));
      }
      this.entries.push({ adapter: name, scope, config: { ...c, modulesToSave: mts, taskType }, targets, modulesToSave: saved });
    }
    this.configs.set(name, config);
    if (first) this.setAdapter(name);
    else this.setAdapter(this._active);
    return this;
  }

  /**
   * modules_to_save and task_type: given, or inferred from the head as PEFT users set them (SEQ_CLS for
   * sequence/image classification, TOKEN_CLS for token classification, CAUSAL_LM for `*ForCausalLM`:
   * without it PEFT's plain `PeftModel` ignores prompt adapters). PEFT needs task_type to
   * feed prompt methods to a classifier; SEQ_CLS/TOKEN_CLS add `classifier` (and `score`), as PEFT does.
   */
  private modulesToSaveFor(c: MethodConfig, scope: string): { modulesToSave: string[]; taskType: MethodConfig['taskType'] } {
    const own = [...(c.modulesToSave ?? [])];
    const model = scope ? this.base_model.getSubmodule(scope) : this.base_model;
    const task = c.taskType === undefined ? (HEAD_TASKS.find(([re]) => re.test(model.constructor.name))?.[1] ?? null) : c.taskType;
    if ((task === 'SEQ_CLS' || task === 'TOKEN_CLS') && !own.includes('classifier')) own.push('classifier', 'score');
    if (c.modulesToSave === undefined) for (const m of this.newlyInitialisedModules(scope, c)) if (!own.some((o) => m === o || m.endsWith(`.${o}`))) own.push(m);
    return { modulesToSave: own, taskType: task };
  }

  /**
   * Modules whose weights the checkpoint lacked (`loadingInfo.missingKeys` of a model from
   * `fromPretrained`, e.g. the pooler of an MLM checkpoint loaded as BertForSequenceClassification).
   * They were randomly initialised in this process only, so an adapter that leaves them out does not
   * reproduce its outputs anywhere else: they train and are saved as modules_to_save (unless the
   * config lists modulesToSave itself). Modules the method adapts itself are left to the method.
   */
  private newlyInitialisedModules(scope: string, c: MethodConfig): string[] {
    const info = (this.base_model as { loadingInfo?: { missingKeys?: string[] } | null }).loadingInfo;
    const prefix = scope ? `${scope}.` : '';
    const modules = new Set<string>();
    for (const key of info?.missingKeys ?? []) {
      if (!key.startsWith(prefix)) continue;
      const path = key.slice(prefix.length).split('.').slice(0, -1).join('.');
      if (path && !this.adapts(c, scope, path)) modules.add(path);
    }
    return [...modules];
  }

  /** Whether `path` (inside `scope`) is a module the method itself wraps (a target of a wrapping method). */
  private adapts(c: MethodConfig, scope: string, path: string): boolean {
    const d = definitionOf(c.method);
    if (!d.targets) return false;
    return matchesTarget(path, d.targets(c, scope ? this.base_model.getSubmodule(scope) : this.base_model));
  }

  private addPromptEncoder(name: string, scope: string, c: MethodConfig, m: Module): string {
    const enc = definitionOf(c.method).createEncoder!(c, m, scope || m.constructor.name, this.training);
    const key = scope ? `${name}__${scope}` : name;
    this.prompt_encoder.set(key, enc);
    return `prompt_encoder.${key}`;
  }

  /** Makes `name` the active adapter: only its parameters are trainable (as PEFT's set_adapter). */
  setAdapter(name: string): void {
    if (!this.configs.has(name)) throw new PeftError(`unknown adapter "${name}"; adapters: ${[...this.configs.keys()].join(', ') || 'none'}`);
    this._active = name;
    for (const [, m] of this.base_model.namedModules()) if (m instanceof AdapterLayer) m.setActive(m.adapterNames().includes(name) ? name : null);
    for (const [path, p] of this.namedParameters()) {
      const owner = adapterOfParameter(path);
      if (owner) p.requiresGrad = owner === name;
    }
  }

  /** Runs the model without any adapter (base behaviour) until `restore` is called. */
  disableAdapters(): { restore(): void } {
    const layers = this.base_model
      .namedModules()
      .filter(([, m]) => m instanceof AdapterLayer)
      .map(([, m]) => m as AdapterLayer);
    layers.forEach((l) => l.setDisabled(true));
    this._disabled = true;
    return {
      restore: () => {
        layers.forEach((l) => l.setDisabled(false));
        this._disabled = false;
      },
    };
  }

  /** Forward through the model with the active adapter, adding prompt inputs for prompt methods. */
  forward(inputs: ForwardInputs<M>): ForwardOutput<M> {
    const run = (this.base_model as unknown as { forward(i: unknown): never }).forward.bind(this.base_model);
    const given_ = inputs as Record<string, unknown>;
    const prompted = this.promptInputs(given_);
    if (prompted === given_) return run(given_);
    // the prompt inputs made here (prefixes, extended embeddings, mask, labels) are freed after the
    // forward; backward keeps its own copies of what it needs
    const given = new Set(tensorsIn(given_));
    const made = tensorsIn(prompted).filter((t) => !given.has(t));
    try {
      return run(prompted);
    } finally {
      tf.dispose(made);
    }
  }

  /**
   * `generate` of the wrapped model with the prompt inputs of the active adapter: an inputs object
   * (`BlipForQuestionAnswering`), or a pixel tensor (`BlipForConditionalGeneration`, whose adapters
   * are all injected in place and need no extra inputs).
   */
  generate(inputs: Record<string, unknown> | tf.Tensor | number[][], options?: unknown): unknown {
    const g = (this.base_model as unknown as { generate?(i: unknown, o?: unknown): unknown }).generate;
    if (!g) throw new PeftError(`${this.base_model.constructor.name} has no generate()`);
    const prompt = !this._disabled && this.entries.some((e) => e.adapter === this._active && isPrompt(e.config));
    if (inputs instanceof tf.Tensor || Array.isArray(inputs)) {
      if (prompt) {
        const what = inputs instanceof tf.Tensor ? 'takes a tensor' : 'was given token lists';
        throw new PeftError(
          `${this.base_model.constructor.name}.generate ${what}; prompt-based adapters (prefix / prompt tuning) need an inputs object (e.g. { inputIds, attentionMask })`,
        );
      }
      return g.call(this.base_model, inputs, options);
    }
    const prompted = this.promptInputs(inputs, true);
    if (prompted === inputs) return g.call(this.base_model, inputs, options);
    // the virtual tokens made for this call are freed when generation ends
    const given = new Set(tensorsIn(inputs));
    const made = tensorsIn(prompted).filter((t) => !given.has(t));
    let result: unknown;
    try {
      result = g.call(this.base_model, prompted, options);
    } catch (e) {
      tf.dispose(made);
      throw e;
    }
    return Promise.resolve(result).finally(() => tf.dispose(made));
  }

  private promptInputs(inputs: Record<string, unknown>, generating = false): Record<string, unknown> {
    if (this._disabled) return inputs;
    let out = inputs;
    for (const e of this.entries) {
      if (e.adapter !== this._active || !isPrompt(e.config)) continue;
      const enc = this.prompt_encoder.get(e.scope ? `${e.adapter}__${e.scope}` : e.adapter)!;
      const def = definitionOf(e.config.method);
      out = (generating && def.generateInputs ? def.generateInputs : def.promptInputs)!(enc, out, e.scope, this.base_model);
    }
    return out;
  }

  /** Writes the adapters in Hugging Face PEFT's format (see `savePeft`). */
  async save(dir: FileLocation, options: { adapters?: string[]; baseModel?: string } = {}): Promise<string[]> {
    return savePeft(this, dir, options);
  }

  /** Folds LoRA / IA3 / LN-tuning adapters into the base weights (inference without overhead). */
  merge(): void {
    this.assertMergeable();
    for (const [, m] of this.base_model.namedModules()) if (m instanceof AdapterLayer) m.mergeActive();
  }
  unmerge(): void {
    for (const [, m] of this.base_model.namedModules()) if (m instanceof AdapterLayer) m.unmergeAll();
  }

  private assertMergeable(): void {
    const prompt = this.entries.find((e) => e.adapter === this._active && isPrompt(e.config));
    if (prompt) throw new PeftError(`${prompt.config.method} adds inputs and cannot be merged into weights (as in PEFT)`);
  }

  /**
   * Merges the active adapter and removes every wrapper: returns the plain model (modules_to_save
   * copies take the place of the originals). Other adapters are discarded.
   */
  mergeAndUnload(): M {
    this.merge();
    const wrapped = this.base_model.namedModules().filter(([, m]) => m instanceof AdapterLayer) as [string, AdapterLayer][];
    const discarded: Module[] = [];
    for (const [path, w] of wrapped.reverse()) {
      const { replacement, discarded: d } = w.unload();
      discarded.push(...d);
      this.base_model.replaceModule(path, replacement);
    }
    // what left the model is freed, except parameters the model still holds (a head tied to the embeddings)
    const live = new Set(this.base_model.parameters());
    for (const m of discarded) {
      const params = m.parameters();
      if (params.every((p) => !live.has(p))) m.dispose();
      else for (const p of params) if (!live.has(p)) p.dispose();
    }
    for (const enc of this.prompt_encoder.values()) enc.dispose(); // prompt adapters (inactive) are discarded too
    this.prompt_encoder.clear();
    this.base_model.freeze();
    return this.base_model;
  }

  /** The exact line PEFT prints: `trainable params: … || all params: … || trainable%: …`. */
  printTrainableParameters(log: (s: string) => void = console.log): string {
    const c = countParameters(this);
    const line = `trainable params: ${c.trainable.toLocaleString('en-US')} || all params: ${c.total.toLocaleString('en-US')} || trainable%: ${c.trainablePercent.toFixed(4)}`;
    log(line);
    return line;
  }

  /** Bytes of trainable weights, their gradients and AdamW's two moments, and of frozen weights. */
  memoryReport(): { trainableBytes: number; gradientBytes: number; optimizerStateBytes: number; frozenBytes: number; totalBytes: number; summary: string } {
    const c = countParameters(this);
    const r = { trainableBytes: c.trainableBytes, gradientBytes: c.trainableBytes, optimizerStateBytes: 2 * c.trainableBytes, frozenBytes: c.frozenBytes };
    const totalBytes = r.trainableBytes + r.gradientBytes + r.optimizerStateBytes + r.frozenBytes;
    return {
      ...r,
      totalBytes,
      summary: `trainable ${formatBytes(r.trainableBytes)} + gradients ${formatBytes(r.gradientBytes)} + AdamW state ${formatBytes(r.optimizerStateBytes)} + frozen ${formatBytes(r.frozenBytes)} = ${formatBytes(totalBytes)} (activations not included)`,
    };
  }
}

/** The adapter a parameter belongs to, from its path (`….lora_A.<name>.weight`, `prompt_encoder.<name>…`), or null for base weights. */
export function adapterOfParameter(path: string): string | null {
  const m = ADAPTER_PARAMETER.exec(path) ?? /^prompt_encoder\.([^.]+?)(?:__[^.]+)?\./.exec(path);
  return m ? m[1]! : null;
}
/** `.<segment>.<adapter>` then `.` or the end, for every method's per-adapter segments and modules_to_save. */
const ADAPTER_PARAMETER = new RegExp(`\\.(?:${[...ADAPTER_SEGMENTS, 'modules_to_save'].join('|')})\\.([^.]+)(?:\\.|$)`);

/** Applies a PEFT config to a model: freezes it, injects the adapter, marks modules_to_save trainable. */
export function applyPeft<M extends Module>(model: M, config: PeftConfig, options: { adapterName?: string } = {}): PeftModel<M> {
  const o = adapterOptions.safeParse(options);
  if (!o.success) throw new PeftError(`applyPeft options: ${formatIssues(o.error.issues, options, adapterOptions, () => ['adapterName']).join('; ')}`);
  return new PeftModel(model).addAdapter(options.adapterName ?? 'default', config);
}

/** Every tensor in an inputs object (through arrays and plain objects: per-layer prefixes, scoped inputs). */
function tensorsIn(v: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (v instanceof tf.Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out);
  else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) tensorsIn(x, out);
  return out;
}
