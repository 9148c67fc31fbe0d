import { TfjsPeftError } from '@tfjs-peft/core';

/**
 * A causal-LM / SFT example (or the options for it) cannot be used as asked. The message names the
 * function, the example index (`examples[3]`) and field, what was expected and what was received:
 * `formatChat: examples[2].messages: expected at least one assistant turn, got roles ["user"]`.
 * `code` is `'CAUSAL_LM_INPUT'`; `example` is the index (null for an option).
 */
export class CausalLmInputError extends TfjsPeftError {
  declare readonly code: 'CAUSAL_LM_INPUT';
  constructor(
    readonly where: string,
    readonly example: number | null,
    readonly field: string,
    problem: string,
  ) {
    super('CAUSAL_LM_INPUT', `${where}: ${example === null ? field : `examples[${example}]${field ? `.${field}` : ''}`}: ${problem}`);
  }
}

/** An option that must be an integer ≥ `min`. */
export function checkInt(where: string, field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new CausalLmInputError(where, null, field, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}
