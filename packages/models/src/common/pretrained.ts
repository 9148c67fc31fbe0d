import * as tf from '@tensorflow/tfjs-core';
import {
  Module,
  StateDictError,
  joinPath,
  loadStateDict,
  locationName,
  readCheckpointWeights,
  resolvePretrained,
  readText,
  writeCheckpointWeights,
  writeFileAtomic,
  type FileLocation,
  type HubOptions,
  type RawTensor,
} from '@tfjs-peft/core';
import { ConfigError, ConfigReader, configLabel, floatKeysOf, serializeConfig, setConfigLabel, type RawConfig } from './config';

/**
 * Options of `fromPretrained`. The hub ones (`revision`, `cacheDir`, `token`, `localFilesOnly`,
 * `onProgress`, `endpoint`) apply when the argument is a hub repo id (`org/name`) rather than a
 * local folder or URL.
 */
export interface FromPretrainedOptions extends HubOptions {
  /** Values that override config.json (e.g. `{ num_labels: 2 }` for a new classification head). */
  config?: RawConfig;
  /** Re-initialise parameters whose checkpoint shape differs (HF `ignore_mismatched_sizes`). */
  ignoreMismatchedSizes?: boolean;
  /** Receives the notes HF prints as warnings (newly initialised or unused weights). */
  onWarning?: (message: string) => void;
}

/** Checkpoint keys every loader ignores: non-persistent buffers older checkpoints still carry. */
const ALWAYS_IGNORED = [/(^|\.)position_ids$/, /(^|\.)token_type_ids$/];

/** Reads config.json; remembers which fields were floats so `savePretrained` writes them back as floats. */
export async function readConfig(dir: FileLocation): Promise<RawConfig> {
  const { text, label } = await readText(joinPath(dir, 'config.json'));
  let raw: RawConfig;
  try {
    raw = JSON.parse(text) as RawConfig;
  } catch (e) {
    throw new ConfigError(`${label}: not valid JSON (${(e as Error).message})`);
  }
  new ConfigReader(raw, label); // a JSON object, not null, an array or a number
  setConfigLabel(raw, label);
  FLOAT_KEYS.set(raw, floatKeysOf(text));
  return raw;
}

const FLOAT_KEYS = new WeakMap<RawConfig, Set<string>>();

/** What a load did with the checkpoint's keys (HF `output_loading_info`). */
export interface LoadingInfo {
  /** parameters the checkpoint did not have: newly initialised, to be trained (and saved) */
  missingKeys: string[];
  /** checkpoint weights the model did not use */
  unexpectedKeys: string[];
  /** parameters re-initialised because their checkpoint shape differed (`ignoreMismatchedSizes`) */
  mismatchedKeys: string[];
}

/**
 * Base of every model: holds the HF config, loads and saves HF checkpoint folders.
 * Subclasses set `baseModelPrefix` (`bert`, `vit`) so a head model loads a bare base checkpoint
 * and vice versa, as transformers does, and may list `tiedKeys` that checkpoints may omit.
 */
export class PreTrainedModel extends Module {
  /** HF `base_model_prefix`: the field holding the base model, or '' for a model without one. */
  static baseModelPrefix = '';
  /** keys a checkpoint may carry for weights this model ties (HF `_tied_weights_keys`) */
  protected static tiedKeys: RegExp[] = [];

  /**
   * Set by `fromPretrained`/`loadPretrainedWeights`. `applyPeft` reads `missingKeys` to save
   * newly initialised modules (a pooler an MLM checkpoint lacks) with the adapter.
   */
  loadingInfo: LoadingInfo | null = null;
  /**
   * HF `name_or_path`: the folder or URL `fromPretrained` read (null for a model built in code).
   * PEFT records it as the adapter's `base_model_name_or_path`.
   */
  nameOrPath: string | null = null;

  constructor(readonly config: RawConfig) {
    super();
  }

  /** Checkpoint keys of weights this model ties to others (skipped on load, omitted on save). */
  protected tiedCheckpointKeys(): RegExp[] {
    return (this.constructor as typeof PreTrainedModel).tiedKeys;
  }

  static async fromPretrained<T extends PreTrainedModel>(
    this: (new (config: RawConfig) => T) & typeof PreTrainedModel,
    dir: FileLocation,
    options: FromPretrainedOptions = {},
  ): Promise<T> {
    dir = await resolvePretrained(dir, options);
    const fileConfig = await readConfig(dir);
    const raw = { ...fileConfig, ...(options.config ?? {}) };
    FLOAT_KEYS.set(raw, FLOAT_KEYS.get(fileConfig)!);
    setConfigLabel(raw, configLabel(fileConfig));
    const model = new this(raw);
    const weights = await readCheckpointWeights(dir);
    model.loadPretrainedWeights(weights, options);
    await model.loadPretrainedExtras(dir, options);
    model.nameOrPath = locationName(dir);
    model.eval();
    return model;
  }

  /** Reads what a checkpoint folder holds beside config and weights (a causal LM: `generation_config.json`). */
  protected async loadPretrainedExtras(_dir: FileLocation, _options: FromPretrainedOptions): Promise<void> {}

  /** Loads checkpoint tensors with transformers' rules; exposed for weights read some other way. */
  loadPretrainedWeights(weights: Map<string, RawTensor | tf.Tensor>, options: FromPretrainedOptions = {}): void {
    const ctor = this.constructor as typeof PreTrainedModel;
    const prefix = ctor.baseModelPrefix;
    const warn = options.onWarning ?? ((m: string) => console.warn(`[tfjs-peft] ${m}`));
    const own = new Map(this.namedParameters());
    const ownHasPrefix = prefix !== '' && [...own.keys()].some((k) => k.startsWith(`${prefix}.`));
    const ckptHasPrefix = prefix !== '' && [...weights.keys()].some((k) => k.startsWith(`${prefix}.`));
    const mapped = new Map<string, RawTensor | tf.Tensor>();
    for (const [key, t] of weights) {
      if (ALWAYS_IGNORED.some((r) => r.test(key)) || this.tiedCheckpointKeys().some((r) => r.test(key))) continue;
      let k = key;
      if (ownHasPrefix && !ckptHasPrefix)
        k = `${prefix}.${key}`; // bare base checkpoint into a head model
      else if (!ownHasPrefix && ckptHasPrefix) {
        if (!key.startsWith(`${prefix}.`)) continue; // a head's weights when loading the base model alone
        k = key.slice(prefix.length + 1);
      }
      mapped.set(k, t);
    }
    const unexpected = [...mapped.keys()].filter((k) => !own.has(k));
    const matched = [...mapped.keys()].filter((k) => own.has(k));
    if (matched.length === 0) {
      throw new StateDictError(
        `${this.constructor.name}: no checkpoint weight matches this model (${weights.size} weights, e.g. ${[...weights.keys()].slice(0, 3).join(', ')}; the model expects e.g. ${[...own.keys()].slice(0, 3).join(', ')}) — is it a checkpoint of another architecture?`,
        [...own.keys()],
        [...weights.keys()],
        [],
      );
    }
    const mismatched: string[] = [];
    if (options.ignoreMismatchedSizes) {
      for (const [k, t] of [...mapped]) {
        const p = own.get(k);
        if (p && t.shape.join(',') !== p.shape.join(',')) {
          mapped.delete(k);
          mismatched.push(k);
          warn(`${k}: checkpoint shape [${t.shape.join(',')}] differs from the model's [${p.shape.join(',')}]; newly initialised`);
        }
      }
    }
    for (const k of unexpected) mapped.delete(k);
    loadStateDict(this, mapped, { strict: false });
    const fresh = [...own.keys()].filter((k) => !mapped.has(k));
    this.loadingInfo = { missingKeys: fresh, unexpectedKeys: unexpected, mismatchedKeys: mismatched };
    if (fresh.length) warn(`${this.constructor.name}: newly initialised (not in the checkpoint), train them before use: ${fresh.join(', ')}`);
    if (unexpected.length) warn(`${this.constructor.name}: checkpoint weights not used: ${unexpected.join(', ')}`);
  }

  /**
   * Writes `config.json` and `model.safetensors` (or shards) in the Hugging Face layout, each file
   * atomically. Tied weights are written once, under their first name. `floatDtype: 'F16'` halves
   * the size (loading converts back to float32).
   */
  async savePretrained(dir: FileLocation, options: { maxShardBytes?: number; floatDtype?: 'F32' | 'F16' | 'BF16' } = {}): Promise<void> {
    const tensors = new Map(this.namedParameters().map(([n, p]) => [n, p.value as tf.Tensor]));
    await writeCheckpointWeights(dir, tensors, { maxShardBytes: options.maxShardBytes, floatDtype: options.floatDtype });
    await writeFileAtomic(joinPath(dir, 'config.json'), serializeConfig(this.config, FLOAT_KEYS.get(this.config)));
  }
}
