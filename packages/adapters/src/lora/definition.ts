import { Linear, type Module } from '@tfjs-peft/core';
import type { InjectContext, Json, MethodDefinition } from '../method';
import type { TargetSpec } from '../config';
import { describedTargets } from '../defaults';
import { findTargets, patternKey } from '../matching';
import { PeftError } from '../errors';
import { localName, wrapAt } from '../wrap';
import { LoraLinear, type LoraLayerOptions } from './lora-linear';
import { LORA_DEFAULTS, LORA_FILE_FIELDS, loraOptions, type LoraConfig } from './config';

/** LoRA's fields of a config, as LoRA and DoRA read and write them. */
type LoraFields = Omit<LoraConfig, 'method'>;

export const loraTargets = (c: LoraFields, model: Module): TargetSpec => c.targetModules ?? describedTargets(model, 'lora', (t) => t.lora);

/** Wraps each target Linear in `make(base)` and adds the adapter with its own r and alpha (rank_pattern / alpha_pattern). */
export function injectLora<T extends LoraLinear>(c: LoraFields, ctx: InjectContext, kind: abstract new (...a: never[]) => T, make: (base: Linear) => T): string[] {
  const targets = loraTargets(c, ctx.scoped);
  if (typeof targets === 'string' && (c.layersToTransform !== undefined || c.layersPattern !== undefined)) {
    throw new PeftError('layersToTransform / layersPattern cannot be used when targetModules is a regex string (as PEFT)');
  }
  const hits = findTargets(ctx.model, {
    targets,
    exclude: c.excludeModules,
    scope: ctx.scope,
    accept: (m) => m instanceof Linear || m instanceof kind,
    acceptDescription: 'Linear',
    protectedNames: ctx.protectedNames,
    field: 'targetModules',
    layers: { indexes: c.layersToTransform, pattern: c.layersPattern },
  });
  for (const [path] of hits) {
    // PEFT's rank_pattern / alpha_pattern: keys matched against the module name inside the adapted (sub-)model
    const local = localName(ctx.scope, path);
    const rKey = patternKey(c.rankPattern, local, 'rankPattern');
    const aKey = patternKey(c.alphaPattern, local, 'alphaPattern');
    const o: LoraLayerOptions = {
      r: rKey !== undefined ? c.rankPattern![rKey]! : (c.r ?? LORA_DEFAULTS.r),
      alpha: aKey !== undefined ? c.alphaPattern![aKey]! : (c.loraAlpha ?? LORA_DEFAULTS.loraAlpha),
      dropout: c.loraDropout ?? LORA_DEFAULTS.loraDropout,
      rslora: c.useRslora ?? LORA_DEFAULTS.useRslora,
      init: c.initLoraWeights ?? LORA_DEFAULTS.initLoraWeights,
    };
    wrapAt(ctx.model, path, (b) => make(b as Linear), kind).addAdapter(ctx.adapter, o);
  }
  return hits.map(([p]) => p);
}

/** LoRA's own `adapter_config.json` fields (PEFT 0.21 writes all of them). */
export function loraToJson(c: LoraFields, model: Module): Json {
  return {
    peft_type: 'LORA',
    r: c.r ?? LORA_DEFAULTS.r,
    lora_alpha: c.loraAlpha ?? LORA_DEFAULTS.loraAlpha,
    lora_dropout: c.loraDropout ?? LORA_DEFAULTS.loraDropout,
    target_modules: loraTargets(c, model),
    exclude_modules: c.excludeModules ?? null,
    use_rslora: c.useRslora ?? LORA_DEFAULTS.useRslora,
    init_lora_weights: c.initLoraWeights ?? LORA_DEFAULTS.initLoraWeights,
    bias: 'none',
    fan_in_fan_out: false,
    use_dora: false,
    lora_bias: false,
    layers_to_transform: c.layersToTransform ?? null,
    layers_pattern: c.layersPattern ?? null,
    rank_pattern: c.rankPattern ?? {},
    alpha_pattern: c.alphaPattern ?? {},
  };
}

export function loraFromJson(j: Json): LoraFields {
  const spec = (k: string) => (j[k] as TargetSpec | null | undefined) ?? undefined;
  const pattern = (k: string) => {
    const v = j[k] as Record<string, number> | null | undefined;
    return v && Object.keys(v).length ? v : undefined;
  };
  return {
    r: (j.r as number | undefined) ?? LORA_DEFAULTS.r,
    loraAlpha: (j.lora_alpha as number | undefined) ?? LORA_DEFAULTS.loraAlpha,
    loraDropout: (j.lora_dropout as number | undefined) ?? LORA_DEFAULTS.loraDropout,
    targetModules: spec('target_modules'),
    excludeModules: spec('exclude_modules'),
    useRslora: j.use_rslora === true,
    initLoraWeights: false, // weights come from the file
    rankPattern: pattern('rank_pattern'),
    alphaPattern: pattern('alpha_pattern'),
    layersToTransform: (j.layers_to_transform as number | number[] | null | undefined) ?? undefined,
    layersPattern: (j.layers_pattern as string | string[] | null | undefined) ?? undefined,
  };
}

/** PEFT's check: α/r (rsLoRA α/√r) must be a float32. */
export function refineLoraFile(j: Json, fail: (field: string, message: string) => void): void {
  const r = typeof j.r === 'number' ? j.r : LORA_DEFAULTS.r;
  const alpha = typeof j.lora_alpha === 'number' ? j.lora_alpha : LORA_DEFAULTS.loraAlpha;
  if (Number.isFinite(alpha) && !Number.isFinite(Math.fround(alpha / (j.use_rslora === true ? Math.sqrt(r) : r)))) fail('lora_alpha', 'gives a scaling outside float32 range');
}

/** LoRA (HF PEFT `LoraConfig`): `LoraLinear` at each target Linear. */
export const lora: MethodDefinition<LoraConfig> = {
  methods: ['lora'],
  kind: 'wrap',
  peftType: 'LORA',
  options: loraOptions,
  file: { fields: LORA_FILE_FIELDS, refine: refineLoraFile },
  readsFile: (j) => j.use_dora !== true,
  parameterSegments: ['lora_A', 'lora_B'],
  targets: loraTargets,
  inject: (c, ctx) => injectLora(c, ctx, LoraLinear, (b) => new LoraLinear(b)),
  toJson: loraToJson,
  fromJson: (j) => ({ method: 'lora', ...loraFromJson(j) }),
};
