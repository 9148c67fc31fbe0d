import { TfjsPeftError } from '@tfjs-peft/core';

/** Bad input to a Fisher or parameter-change function; `code` is stable. */
export class FisherError extends TfjsPeftError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'FisherError';
  }
}
