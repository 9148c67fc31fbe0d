import { TfjsPeftError } from '@tfjs-peft/core';

/** A data file is malformed; the message names the file and the line. */
export class DataFormatError extends TfjsPeftError {
  constructor(file: string, line: number | null, problem: string) {
    super('DATA_FORMAT', `${file}${line != null ? `:${line}` : ''}: ${problem}`);
  }
}
