import { ConfigError, ConfigReader, configLabel, type RawConfig } from '../common/config';
import { parseLlamaFamilyConfig, type LlamaConfig, type LlamaFamily } from '../llama/config';

/** A Qwen2 config is read into Llama's fields: the decoders are the same but for the biases. */
export type Qwen2Config = LlamaConfig;

/** transformers' `Qwen2Config`: its defaults; biases on `q_proj`/`k_proj`/`v_proj` only (fixed, no config field). */
export const QWEN2_FAMILY: LlamaFamily = {
  modelType: 'qwen2',
  defaults: { vocabSize: 151936, hiddenSize: 4096, intermediateSize: 22016, numHiddenLayers: 32, numAttentionHeads: 32, maxPositionEmbeddings: 32768 },
  biases: () => ({ qkvBias: true, oProjBias: false, mlpBias: false }),
};

/**
 * Parses a Qwen2 `config.json`; errors name the file and the field. Sliding-window attention is not
 * implemented: `use_sliding_window: true` and any `layer_types` entry other than `"full_attention"`
 * are a `ConfigError` (every small Qwen2 / Qwen2.5 checkpoint has it off, and transformers then
 * ignores `sliding_window` and `max_window_layers`).
 */
export function parseQwen2Config(raw: RawConfig, label = configLabel(raw)): Qwen2Config {
  const c = new ConfigReader(raw, label);
  if (c.bool('use_sliding_window', false))
    throw new ConfigError(`${label}: "use_sliding_window" = true is not supported by tfjs-peft (sliding-window attention is not implemented); supported: false`);
  const parsed = parseLlamaFamilyConfig(raw, label, QWEN2_FAMILY);
  const types = raw.layer_types;
  if (types != null) {
    if (!Array.isArray(types) || types.length !== parsed.numHiddenLayers)
      throw new ConfigError(`${label}: "layer_types" expected a list of ${parsed.numHiddenLayers} entries (one per layer, "num_hidden_layers"), got ${JSON.stringify(types)}`);
    const i = types.findIndex((t) => t !== 'full_attention');
    if (i >= 0)
      throw new ConfigError(
        `${label}: "layer_types[${i}]" = ${JSON.stringify(types[i])} is not supported by tfjs-peft (sliding-window attention is not implemented); supported: "full_attention"`,
      );
  }
  return parsed;
}
