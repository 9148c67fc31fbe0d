import { resolvePretrained, type FileLocation, type HubOptions } from '@tfjs-peft/core';
import { ConfigError, configLabel, type RawConfig } from '../common/config';
import { readConfig } from '../common/pretrained';

/** A config.json as read, with the `model_type` every Auto class dispatches on. */
export type AutoConfigResult = RawConfig & { model_type: string };

/**
 * The `model_type` of a config: a non-empty string, as transformers' `AutoConfig` requires (it
 * no longer guesses the architecture from the folder name). A `ConfigError` names the file otherwise.
 */
export function modelTypeOf(raw: RawConfig): string {
  const v = raw.model_type;
  if (typeof v !== 'string' || v === '') {
    const got = v === undefined ? 'nothing (the field is missing)' : JSON.stringify(v);
    throw new ConfigError(`${configLabel(raw)}: "model_type" expected a non-empty string naming the architecture (as transformers' AutoConfig needs), got ${got}`);
  }
  return v;
}

/** transformers' `AutoConfig`: reads a checkpoint folder's config.json without picking a model. */
export class AutoConfig {
  private constructor() {}

  /**
   * Reads `config.json` from a folder or URL (with `readConfig`'s errors: missing file, invalid
   * JSON, not an object) and checks its `model_type`. The object is the raw config, with the file
   * label and float fields remembered, so it can be passed on as `options.config`.
   */
  static async fromPretrained(dirOrUrl: FileLocation, options: HubOptions = {}): Promise<AutoConfigResult> {
    const raw = await readConfig(await resolvePretrained(dirOrUrl, options));
    modelTypeOf(raw);
    return raw as AutoConfigResult;
  }
}
