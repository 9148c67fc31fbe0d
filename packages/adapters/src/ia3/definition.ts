import { Linear, type Module } from '@tfjs-peft/core';
import type { MethodDefinition } from '../method';
import type { TargetSpec } from '../config';
import { describedTargets } from '../defaults';
import { findTargets, matchesTarget } from '../matching';
import { localName, wrapAt } from '../wrap';
import { IA3Linear } from './ia3-linear';
import { IA3_FILE_FIELDS, ia3Options, type IA3Config } from './config';

const targets = (c: IA3Config, model: Module): TargetSpec => c.targetModules ?? describedTargets(model, 'ia3', (t) => t.ia3);
/** Feed-forward targets: given, or the model's own when the targets are its own too (explicit targets without them: none). */
const feedforward = (c: IA3Config, model: Module): TargetSpec => c.feedforwardModules ?? (c.targetModules ? [] : describedTargets(model, 'ia3', (t) => t.ia3FeedForward));

/** (IA)³ (HF PEFT `IA3Config`): `IA3Linear` at each target Linear; feed-forward targets scale their input. */
export const ia3: MethodDefinition<IA3Config> = {
  methods: ['ia3'],
  kind: 'wrap',
  peftType: 'IA3',
  options: ia3Options,
  file: {
    fields: IA3_FILE_FIELDS,
    refine(j, fail) {
      if (Array.isArray(j.feedforward_modules) && Array.isArray(j.target_modules)) {
        const extra = (j.feedforward_modules as string[]).filter((f) => !(j.target_modules as string[]).includes(f));
        if (extra.length) fail('feedforward_modules', `must be a subset of "target_modules"; not targets: ${extra.join(', ')}`);
      }
    },
  },
  parameterSegments: ['ia3_l'],
  targets,
  inject(c, ctx) {
    const ff = feedforward(c, ctx.scoped);
    const hits = findTargets(ctx.model, {
      targets: targets(c, ctx.scoped),
      exclude: c.excludeModules,
      scope: ctx.scope,
      accept: (m) => m instanceof Linear || m instanceof IA3Linear,
      acceptDescription: 'Linear',
      protectedNames: ctx.protectedNames,
      field: 'targetModules',
    });
    for (const [path] of hits) {
      const local = localName(ctx.scope, path);
      // PEFT: feed-forward when the name ends with an entry (regex: full match)
      const isFf = typeof ff === 'string' ? matchesTarget(local, ff) : ff.some((f) => local.endsWith(f));
      wrapAt(ctx.model, path, (b) => new IA3Linear(b as Linear, isFf), IA3Linear).addAdapter(ctx.adapter);
    }
    return hits.map(([p]) => p);
  },
  toJson: (c, model) => ({
    peft_type: 'IA3',
    target_modules: targets(c, model),
    feedforward_modules: feedforward(c, model),
    exclude_modules: c.excludeModules ?? null,
    fan_in_fan_out: false,
    init_ia3_weights: true,
  }),
  fromJson: (j) => ({
    method: 'ia3',
    targetModules: (j.target_modules as TargetSpec | null | undefined) ?? undefined,
    feedforwardModules: (j.feedforward_modules as TargetSpec | null | undefined) ?? [],
    excludeModules: (j.exclude_modules as TargetSpec | null | undefined) ?? undefined,
  }),
};
