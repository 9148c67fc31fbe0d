import { TfjsPeftError } from '@tfjs-peft/core';

/**
 * A data file is malformed; the message names the file, the line and (for a bad cell) the column:
 * `STS-B/dev.tsv:2: column "score": expected a decimal number in [0, 5], got "7"`.
 */
export class DataFormatError extends TfjsPeftError {
  constructor(
    readonly file: string,
    readonly line: number | null,
    problem: string,
    readonly column: string | null = null,
  ) {
    super('DATA_FORMAT', `${file}${line != null ? `:${line}` : ''}: ${column != null ? `column ${JSON.stringify(column)}: ` : ''}${problem}`);
  }
}
