import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project's embedded pretrained BERT (assets/bert-tiny-tfjs-peft in the repository). */
export const EMBEDDED_MODEL = fileURLToPath(new URL('../../../assets/bert-tiny-tfjs-peft', import.meta.url));

/** The embedded SpamAssassin slice (data/spam-assassin). */
export const EMBEDDED_DATA = fileURLToPath(new URL('../../../data/spam-assassin', import.meta.url));

/** `../shared/data/glue` beside the repository, when it is there (override with TFJS_PEFT_SHARED_DIR). */
export function sharedGlueDir(): string | undefined {
  const root = process.env.TFJS_PEFT_SHARED_DIR ?? fileURLToPath(new URL('../../../../shared', import.meta.url));
  const dir = `${root}/data/glue`;
  return existsSync(dir) ? dir : undefined;
}
