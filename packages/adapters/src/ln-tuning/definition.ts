import * as tf from '@tensorflow/tfjs-core';
import { isAffineNorm, type AffineNorm, type Module } from '@tfjs-peft/core';
import type { MethodDefinition } from '../method';
import type { TargetSpec } from '../config';
import { describedTargets } from '../defaults';
import { findTargets } from '../matching';
import { PeftError } from '../errors';
import { localName, wrapAt } from '../wrap';
import { LnTuningLayer, type LnMask } from './ln-tuning-layer';
import { lnTuningOptions, type LnTuningConfig } from './config';

const targets = (c: LnTuningConfig, model: Module): TargetSpec => c.targetModules ?? describedTargets(model, 'ln-tuning', (t) => t.lnTuning);
const join = (scope: string, name: string) => (scope ? `${scope}.${name}` : name);

/** The masks of one norm (keyed by its full or sub-module path), as tensors of its size. */
function maskFor(c: LnTuningConfig, path: string, local: string, norm: AffineNorm): LnMask | undefined {
  const m = c.masks?.[path] ?? c.masks?.[local];
  if (!m) return undefined;
  const size = norm.normalizedShape;
  for (const [which, v] of Object.entries(m)) {
    if (v && v.length !== size) throw new PeftError(`ln-tuning masks: ${path}.${which} expected ${size} values, got ${v.length}`);
  }
  if (m.bias && !norm.bias) throw new PeftError(`ln-tuning masks: ${path}.bias given, but ${path} (${norm.constructor.name}) has no bias`);
  return { weight: m.weight ? tf.tensor1d(Array.from(m.weight)) : undefined, bias: m.bias ? tf.tensor1d(Array.from(m.bias)) : undefined };
}

/** LayerNorm tuning (HF PEFT `LNTuningConfig`): a trainable copy of each target norm (LayerNorm or RMSNorm), optionally element-masked. */
export const lnTuning: MethodDefinition<LnTuningConfig> = {
  methods: ['ln-tuning'],
  kind: 'wrap',
  peftType: 'LN_TUNING',
  options: lnTuningOptions,
  file: { fields: {} },
  parameterSegments: ['ln_tuning_layers'],
  targets,
  inject(c, ctx) {
    const hits = findTargets(ctx.model, {
      targets: targets(c, ctx.scoped),
      exclude: c.excludeModules,
      scope: ctx.scope,
      accept: (m) => isAffineNorm(m) || m instanceof LnTuningLayer,
      acceptDescription: 'LayerNorm or RMSNorm',
      protectedNames: ctx.protectedNames,
      field: 'targetModules',
    });
    const known = new Set(hits.map(([p]) => p));
    for (const k of Object.keys(c.masks ?? {})) {
      if (!known.has(k) && !known.has(join(ctx.scope, k)))
        throw new PeftError(`ln-tuning masks: "${k}" is not a targeted LayerNorm; targeted: ${[...known].slice(0, 8).join(', ')}${known.size > 8 ? ', …' : ''}`);
    }
    for (const [path] of hits) {
      const base = ctx.model.getSubmodule(path);
      const norm = base instanceof LnTuningLayer ? base.base_layer : (base as AffineNorm);
      const mask = maskFor(c, path, localName(ctx.scope, path), norm);
      wrapAt(ctx.model, path, (b) => new LnTuningLayer(b as AffineNorm), LnTuningLayer).addAdapter(ctx.adapter, mask);
    }
    return hits.map(([p]) => p);
  },
  toJson: (c, model) => ({ peft_type: 'LN_TUNING', target_modules: targets(c, model), exclude_modules: c.excludeModules ?? null }),
  fromJson: (j) => ({
    method: 'ln-tuning',
    targetModules: (j.target_modules as TargetSpec | null | undefined) ?? undefined,
    excludeModules: (j.exclude_modules as TargetSpec | null | undefined) ?? undefined,
  }),
};
