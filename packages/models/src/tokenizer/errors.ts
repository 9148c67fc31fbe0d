import { TfjsPeftError } from '@tfjs-peft/core';
import { ConfigError } from '../common/config';

/**
 * A tokenizer file is missing, is not valid JSON, or has a field of the wrong shape. The message
 * names the file (and folder) and the field. `code` is `'CONFIG_INVALID'`, as for {@link ConfigError}.
 */
export class TokenizerConfigError extends ConfigError {}

/**
 * A tokenizer call cannot be done as asked: padding without a pad token, a truncation that cannot
 * reach `maxLength`, no chat template, or a chat template that called `raise_exception`.
 * `code` is `'TOKENIZER_INPUT'`.
 */
export class TokenizerInputError extends TfjsPeftError {
  declare readonly code: 'TOKENIZER_INPUT';
  constructor(message: string) {
    super('TOKENIZER_INPUT', message);
  }
}
