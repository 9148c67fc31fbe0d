import { TfjsPeftError } from '@tfjs-peft/core';

/** A config.json field is missing, has the wrong type, or asks for something not implemented. */
export class ConfigError extends TfjsPeftError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export type RawConfig = Record<string, unknown>;

/** Typed access to a Hugging Face config object; every error names the file and the field. */
export class ConfigReader {
  constructor(
    readonly raw: RawConfig,
    readonly label = 'config.json',
  ) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${label}: expected a JSON object`);
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
    if (id2label && typeof id2label === 'object') return Object.keys(id2label).length;
    return this.int('num_labels', 2);
  }
}

/** HF config fields that are floats even when their value is whole (transformers ≥ 5 validates types). */
const KNOWN_FLOAT_KEYS = [
  'label_smoothing', 'layer_norm_eps', 'hidden_dropout_prob', 'attention_probs_dropout_prob', 'attention_dropout',
  'classifier_dropout', 'dropout', 'initializer_range', 'initializer_factor', 'logit_scale_init_value', 'rescale_factor',
  'drop_path_rate', 'layerdrop',
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
  const text = JSON.stringify(
    config,
    (key, value) => (typeof value === 'number' && Number.isInteger(value) && floats.has(key) ? `${marker}${value}` : value),
    2,
  );
  return `${text.replace(/"@@tfjs-peft-float@@(-?\d+)"/g, '$1.0')}\n`;
}
