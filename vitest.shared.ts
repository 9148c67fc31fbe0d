import { defineConfig } from 'vitest/config';

/** Test settings shared by every package: run from `src` (source condition), inline tfjs-core. */
export const sharedVitestConfig = defineConfig({
  resolve: { conditions: ['@tfjs-peft/source'] },
  ssr: { resolve: { conditions: ['@tfjs-peft/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Trainer progress is on by default in Node (lines when piped); tests that check it pass progress: true
    env: { TFJS_PEFT_DISABLE_PROGRESS_BARS: '1' },
    // the JSON report lets `npm test` print one total line for the whole workspace
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    // tfjs-core's gradient registrations are extensionless ESM that Node cannot load itself
    server: { deps: { inline: [/@tensorflow\/tfjs-core/] } },
  },
});
