/**
 * Error raised by an op when an input has the wrong shape, rank or dtype.
 * `code` is stable and can be matched on; the message names the op, the argument,
 * what was expected and what was received.
 */
export class OpInputError extends Error {
  readonly code = 'OP_INPUT';
  constructor(op: string, argument: string, expected: string, received: string) {
    super(`${op}: ${argument} expected ${expected}, got ${received}`);
    this.name = 'OpInputError';
  }
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
