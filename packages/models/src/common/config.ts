import { TfjsPeftError } from '@tfjs-peft/core';

/** A config.json field is missing, has the wrong type, or asks for something not implemented. */
export class ConfigError extends TfjsPeftError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export type RawConfig = Record<string, unknown>;

const LABELS = new WeakMap<object, string>();

/** Remembers where a config object was read from (`./my-model/config.json`), for error messages. */
export function setConfigLabel(raw: RawConfig, label: string): void {
  if (raw !== null && typeof raw === 'object') LABELS.set(raw, label);
}

/** Where a config object was read from, or `config.json` when it was built in code. */
export function configLabel(raw: unknown): string {
  return (raw !== null && typeof raw === 'object' && LABELS.get(raw)) || 'config.json';
}

function show(v: unknown): string {
  return v === undefined ? 'nothing (the field is missing)' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
}

/** Activations `activation()` implements (HF `hidden_act` names). */
export const SUPPORTED_ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'silu', 'swish'] as const;

/** Typed access to a Hugging Face config object; every error names the file and the field. */
export class ConfigReader {
  constructor(
    readonly raw: RawConfig,
    readonly label = configLabel(raw),
  ) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(`${label}: expected a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
    }
  }

  private fail(key: string, expected: string, v: unknown): never {
    throw new ConfigError(`${this.label}: "${key}" expected ${expected}, got ${show(v)}`);
  }

  /** An integer ≥ 1 (sizes, counts). */
  posInt(key: string, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) this.fail(key, 'a positive integer', this.get(key));
    return v;
  }

  /** An integer ≥ 0 (token ids). */
  nonNegInt(key: string, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(key, 'a non-negative integer', this.get(key));
    return v;
  }

  /** A finite number > 0 (layer_norm_eps). */
  positive(key: string, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(key, 'a positive number', this.get(key));
    return v;
  }

  /** A probability in [0, 1) (dropout rates, label smoothing). */
  prob(key: string, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) this.fail(key, 'a probability in [0, 1)', this.get(key));
    return v;
  }

  optionalProb(key: string): number | null {
    return this.get(key) == null ? null : this.prob(key);
  }

  /** `hidden_act`: a name `activation()` implements. */
  activation(key = 'hidden_act', fallback = 'gelu'): string {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'string') this.fail(key, 'an activation name', this.get(key));
    if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(v)) {
      throw new ConfigError(
        `${this.label}: "${key}" = ${JSON.stringify(v)} is not supported by tfjs-peft; supported: ${SUPPORTED_ACTIVATIONS.map((s) => JSON.stringify(s)).join(', ')}`,
      );
    }
    return v;
  }

  /** A nested config object (`text_config`); missing or null is `{}`. */
  object(key: string): RawConfig {
    const v = this.get(key);
    if (v == null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, 'an object', v);
    return v as RawConfig;
  }

  /** `a` must be a multiple of `b` (hidden_size and num_attention_heads, image_size and patch_size). */
  multipleOf(aKey: string, a: number, bKey: string, b: number): void {
    if (a % b !== 0) throw new ConfigError(`${this.label}: ${aKey} ${a} is not a multiple of ${bKey} ${b}`);
  }

  /** A token id must index the vocabulary. */
  below(key: string, v: number, limitKey: string, limit: number): void {
    if (v >= limit) throw new ConfigError(`${this.label}: "${key}" ${v} must be less than "${limitKey}" ${limit}`);
  }

  private get(key: string): unknown {
    return this.raw[key];
  }

  int(key: string, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new ConfigError(`${this.label}: "${key}" expected an integer, got ${JSON.stringify(this.get(key))}`);
    }
    return v;
  }

  num(key: string, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(`${this.label}: "${key}" expected a number, got ${JSON.stringify(this.get(key))}`);
    }
    return v;
  }

  str(key: string, fallback?: string): string {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'string') throw new ConfigError(`${this.label}: "${key}" expected a string, got ${JSON.stringify(this.get(key))}`);
    return v;
  }

  bool(key: string, fallback?: boolean): boolean {
    const v = this.get(key) ?? fallback;
    if (typeof v !== 'boolean') throw new ConfigError(`${this.label}: "${key}" expected true or false, got ${JSON.stringify(this.get(key))}`);
    return v;
  }

  optionalNum(key: string): number | null {
    const v = this.get(key);
    return v == null ? null : this.num(key);
  }

  optionalStr(key: string): string | null {
    const v = this.get(key);
    return v == null ? null : this.str(key);
  }

  /** Rejects a value we do not implement, listing the supported ones. */
  oneOf<T extends string>(key: string, supported: readonly T[], fallback: T): T {
    const v = this.get(key) ?? fallback;
    if (!supported.includes(v as T)) {
      throw new ConfigError(`${this.label}: "${key}" = ${JSON.stringify(v)} is not supported by tfjs-peft; supported: ${supported.map((s) => JSON.stringify(s)).join(', ')}`);
    }
    return v as T;
  }

  sub(key: string): ConfigReader {
    const v = this.get(key);
    return new ConfigReader((v ?? {}) as RawConfig, `${this.label} ${key}`);
  }

  /** num_labels as transformers derives it: len(id2label) when present, else num_labels, else 2. */
  numLabels(): number {
    const id2label = this.get('id2label');
    if (id2label != null) {
      if (typeof id2label !== 'object' || Array.isArray(id2label)) this.fail('id2label', 'an object of label names', id2label);
      const n = Object.keys(id2label).length;
      if (n < 1) this.fail('id2label', 'at least one label', id2label);
      return n;
    }
    return this.posInt('num_labels', 2);
  }
}

/** HF config fields that are floats even when their value is whole (transformers ≥ 5 validates types). */
const KNOWN_FLOAT_KEYS = [
  'label_smoothing',
  'layer_norm_eps',
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'attention_dropout',
  'classifier_dropout',
  'dropout',
  'initializer_range',
  'initializer_factor',
  'logit_scale_init_value',
  'rescale_factor',
  'drop_path_rate',
  'layerdrop',
];

/** Keys whose values were written as floats (`0.0`, `1e-12`) in a config.json text. */
export function floatKeysOf(jsonText: string): Set<string> {
  const keys = new Set<string>();
  for (const m of jsonText.matchAll(/"([^"\\]+)"\s*:\s*-?\d+(\.\d*)?([eE][-+]?\d+)?/g)) if (m[2] || m[3]) keys.add(m[1]!);
  return keys;
}

/**
 * `JSON.stringify` for config.json that keeps float fields floats: a whole number under a float
 * key is written as `0.0`, as Python does, so strict loaders (transformers 5) accept the file.
 */
export function serializeConfig(config: RawConfig, floatKeys: Set<string> = new Set()): string {
  const floats = new Set([...KNOWN_FLOAT_KEYS, ...floatKeys]);
  const marker = '@@tfjs-peft-float@@';
  const text = JSON.stringify(config, (key, value) => (typeof value === 'number' && Number.isInteger(value) && floats.has(key) ? `${marker}${value}` : value), 2);
  return `${text.replace(/"@@tfjs-peft-float@@(-?\d+)"/g, '$1.0')}\n`;
}
