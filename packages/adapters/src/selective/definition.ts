import type { MethodDefinition } from '../method';
import { PeftError } from '../errors';
import { localName } from '../wrap';
import { selectivePredicate } from './selective';
import { SELECTIVE_FILE_FIELDS, SELECTIVE_METHODS, SELECTIVE_TYPE, selectiveOptions, type SelectiveConfig } from './config';

/** BitFit, FFN-only, attention-only and full fine-tuning: marks some of the model's own parameters trainable. */
export const selective: MethodDefinition<SelectiveConfig> = {
  methods: SELECTIVE_METHODS,
  kind: 'select',
  peftType: SELECTIVE_TYPE,
  options: selectiveOptions,
  file: { fields: SELECTIVE_FILE_FIELDS, required: ['method'] },
  parameterSegments: [],
  inject(c, ctx) {
    const pred = selectivePredicate(c, ctx.scoped);
    const names: string[] = [];
    for (const [n, p] of ctx.model.namedParameters()) {
      if (ctx.scope && !n.startsWith(`${ctx.scope}.`)) continue;
      if (!pred(localName(ctx.scope, n))) continue;
      p.requiresGrad = true;
      names.push(n);
    }
    if (!names.length) throw new PeftError(`${c.method}: no parameter of ${ctx.scope || 'the model'} matches this method`, 'PEFT_NO_TARGET');
    return names;
  },
  toJson: (c) => ({ peft_type: SELECTIVE_TYPE, method: c.method, include_layer_norm: c.includeLayerNorm ?? false }),
  fromJson: (j) => ({ method: j.method as SelectiveConfig['method'], includeLayerNorm: j.include_layer_norm === true }),
};
