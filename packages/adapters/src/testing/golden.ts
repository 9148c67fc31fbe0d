export { GOLDEN_DIR, GOLDEN_MISSING, hasGolden, readGolden, expectOutput, SHARED_DIR } from '../../../models/src/testing/golden';
