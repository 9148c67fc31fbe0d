import { TfjsPeftError, type Parameter } from '@tfjs-peft/core';
import { AdamW } from './adamw';
import { SGD } from './sgd';
import type { Optimizer } from './optimizer';

/** The optimizers a trainer can build by name. */
export const OPTIMIZER_NAMES = ['adamw', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** `TrainerOptions.optimizer` is neither a known name nor an `Optimizer`, or does not fit the model. */
export class OptimizerOptionError extends TfjsPeftError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('OPTIMIZER_OPTION', `${field}: ${problem}`);
  }
}

const METHODS = ['apply', 'state', 'loadState', 'stateBytes', 'dispose'] as const;

/** Whether `x` has the `Optimizer` interface (its methods, `params` and `slotNames`). */
export function isOptimizer(x: unknown): x is Optimizer {
  if (x == null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  return METHODS.every((m) => typeof o[m] === 'function') && Array.isArray(o.params) && Array.isArray(o.slotNames);
}

const show = (x: unknown): string =>
  typeof x === 'string'
    ? JSON.stringify(x)
    : x === null
      ? 'null'
      : Array.isArray(x)
        ? 'an array'
        : typeof x === 'object'
          ? `an object without the Optimizer interface (needs ${METHODS.join(', ')}, params, slotNames)`
          : `${typeof x} ${String(x)}`;

export interface OptimizerSpecOptions {
  weightDecay?: number;
  momentum?: number;
}

/**
 * The optimizer a trainer uses: a name is built over `params` (AdamW with weight decay 0.01 by
 * default, SGD with `momentum`); an instance is used as given, after checking that it has the
 * `Optimizer` interface, that every parameter it updates is one of `params` (the model's trainable ones)
 * under the same name (so checkpoints name its slots as they name the weights), and that no
 * name-only option (`weightDecay`, `momentum`) is also given (an instance was built with its own).
 */
export function resolveOptimizer(spec: unknown, params: [string, Parameter][], o: OptimizerSpecOptions = {}): { optimizer: Optimizer; owned: boolean } {
  const s = spec ?? 'adamw';
  if (typeof s === 'string') {
    if (s === 'adamw') return { optimizer: new AdamW(params, { weightDecay: o.weightDecay ?? 0.01 }), owned: true };
    if (s === 'sgd') return { optimizer: new SGD(params, { momentum: o.momentum, weightDecay: o.weightDecay }), owned: true };
  } else if (isOptimizer(s)) {
    for (const k of ['weightDecay', 'momentum'] as const) {
      if (o[k] != null)
        throw new OptimizerOptionError(
          k,
          `applies only to an optimizer built by name (${OPTIMIZER_NAMES.join(', ')}); this trainer was given an Optimizer instance, which was built with its own settings — pass ${k} to its constructor instead`,
        );
    }
    const byVariable = new Map(params.map(([name, p]) => [p.variable, name]));
    for (const e of s.params) {
      const name = byVariable.get(e.param?.variable);
      if (name == null)
        throw new OptimizerOptionError('optimizer.params', `"${e.name}" is not a trainable parameter of the model (expected only parameters from model.trainableParameters())`);
      if (name !== e.name)
        throw new OptimizerOptionError(
          'optimizer.params',
          `"${e.name}" is the model's trainable parameter "${name}"; expected the same name (checkpoints store optimizer slots as "<parameter name>.<slot>")`,
        );
    }
    return { optimizer: s, owned: false };
  }
  throw new OptimizerOptionError(
    'optimizer',
    `expected one of ${OPTIMIZER_NAMES.map((n) => `"${n}"`).join(', ')} or an Optimizer instance (e.g. new AdamW(model.trainableParameters(), { … })), got ${show(s)}`,
  );
}
