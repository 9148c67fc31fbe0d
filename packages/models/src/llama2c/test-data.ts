import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED_DIR } from '../testing/golden';

/** Test data (not exported): Karpathy's stories260K (llama2.c version 0, GQA 8/4, tied), see ../shared/data/tiny_models/README.md. */
export const STORIES_BIN = resolve(SHARED_DIR, 'data/tiny_models/stories260K/stories260K.bin');
export const hasStories = existsSync(STORIES_BIN);
export const STORIES_MISSING = `../shared/data/tiny_models/stories260K/stories260K.bin not found beside the repository (${STORIES_BIN}); real-checkpoint parity skipped`;
/** The fixed id sequence of the committed golden (`scripts/llama2c_reference.py golden`), bos first. */
export const STORIES_IDS = [1, 403, 407, 261, 378, 8, 72, 275];
