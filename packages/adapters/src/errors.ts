import { TfjsPeftError } from '@tfjs-peft/core';

/** A PEFT config or adapter folder is invalid; the message names the field or file. */
export class PeftError extends TfjsPeftError {
  constructor(message: string, code = 'PEFT_INVALID') {
    super(code, message);
  }
}
