import type { MethodDefinition } from '../method';
import { injectLora, loraFromJson, loraTargets, loraToJson, refineLoraFile } from '../lora/definition';
import { DoraLinear } from './dora-linear';
import { DORA_FILE_FIELDS, doraOptions, type DoraConfig } from './config';

/**
 * DoRA: `DoraLinear` at each target Linear. Shares LoRA's PEFT type, defaults, targets and file
 * fields; its files say `use_dora: true` and add `lora_magnitude_vector` per wrapped Linear.
 */
export const dora: MethodDefinition<DoraConfig> = {
  methods: ['dora'],
  kind: 'wrap',
  peftType: 'LORA',
  options: doraOptions,
  file: { fields: DORA_FILE_FIELDS, refine: refineLoraFile },
  readsFile: (j) => j.use_dora === true,
  parameterSegments: ['lora_A', 'lora_B', 'lora_magnitude_vector'],
  targets: loraTargets,
  inject: (c, ctx) => injectLora(c, ctx, DoraLinear, (b) => new DoraLinear(b)),
  toJson: (c, model) => ({ ...loraToJson(c, model), use_dora: true }),
  fromJson: (j) => ({ method: 'dora', ...loraFromJson(j) }),
};
