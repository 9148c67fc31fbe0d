import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/**
 * The workspace's `shared/` folder (datasets, golden fixtures) lives beside the repository.
 * Tests that need it skip with this message when it is absent; CI always has it.
 * `TFJS_PEFT_SHARED_DIR` points elsewhere.
 */
export const SHARED_DIR = process.env.TFJS_PEFT_SHARED_DIR ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared');
export const GOLDEN_DIR = resolve(SHARED_DIR, 'fixtures/golden');
export const hasShared = existsSync(GOLDEN_DIR);
export const SHARED_MISSING = `../shared/fixtures/golden not found next to the repository (looked in ${GOLDEN_DIR}); golden-fixture tests are skipped`;
