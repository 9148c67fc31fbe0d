import { TfjsPeftError } from '@tfjs-peft/core';

/**
 * A llama2.c checkpoint is malformed or uses a format this converter does not read. The message
 * names the file (or `<bytes>`), the field or section, what was expected and what was found.
 */
export class Llama2cFormatError extends TfjsPeftError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super('LLAMA2C_INVALID', `${file}: ${problem}`);
  }
}
