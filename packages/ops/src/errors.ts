/**
 * Base class of every tfjs-peft error (this package's and `@tfjs-peft/core`'s, which re-exports
 * this same class). `code` is stable and meant to be matched on; the message names the op, field,
 * file or tensor and what was expected.
 */
export class TfjsPeftError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Error raised by an op when an input has the wrong shape, rank, dtype or value.
 * The message names the op, the argument, what was expected and what was received.
 */
export class OpInputError extends TfjsPeftError {
  declare readonly code: 'OP_INPUT';
  constructor(op: string, argument: string, expected: string, received: string) {
    super('OP_INPUT', `${op}: ${argument} expected ${expected}, got ${received}`);
    this.name = 'OpInputError';
  }
}

/** Error raised when a backend cannot start; names what is installed and why it failed. */
export class BackendError extends TfjsPeftError {
  declare readonly code: 'BACKEND_UNAVAILABLE';
  constructor(message: string) {
    super('BACKEND_UNAVAILABLE', message);
    this.name = 'BackendError';
  }
}

/**
 * Error raised by {@link gradients}/{@link variableGrads} when a backward pass cannot be taken
 * (nothing to differentiate, `f` does not depend on the inputs, a kernel without a gradient).
 */
export class GradientError extends TfjsPeftError {
  declare readonly code: 'GRADIENT';
  constructor(message: string) {
    super('GRADIENT', message);
    this.name = 'GradientError';
  }
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
