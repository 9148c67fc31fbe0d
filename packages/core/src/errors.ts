import { TfjsPeftError } from '@tfjs-peft/ops';

// One base class for every package: TfjsPeftError is defined in '@tfjs-peft/ops' (the lowest
// package) and re-exported here, so `instanceof TfjsPeftError` holds for ops' errors too.
export { TfjsPeftError, OpInputError, BackendError, GradientError } from '@tfjs-peft/ops';

/** A tensor or parameter has the wrong shape: `ShapeError: <name> expected [a,b], got [c,d]`. */
export class ShapeError extends TfjsPeftError {
  constructor(name: string, expected: readonly number[] | string, received: readonly number[]) {
    super('SHAPE_MISMATCH', `${name} expected ${typeof expected === 'string' ? expected : `[${expected.join(',')}]`}, got [${received.join(',')}]`);
  }
}

/** A safetensors file or index is malformed; the message names the file and what is wrong. */
export class SafetensorsError extends TfjsPeftError {
  constructor(file: string, problem: string) {
    super('SAFETENSORS_INVALID', `${file}: ${problem}`);
  }
}

/** Loading a state dict found missing, unexpected or mis-shaped keys (all are listed). */
export class StateDictError extends TfjsPeftError {
  constructor(
    message: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: { key: string; expected: number[]; received: number[] }[],
  ) {
    super('STATE_DICT_MISMATCH', message);
  }
}

/** A module path does not exist in the tree; lists what does exist at that level. */
export class ModulePathError extends TfjsPeftError {
  constructor(path: string, problem: string) {
    super('MODULE_PATH', `${path}: ${problem}`);
  }
}
