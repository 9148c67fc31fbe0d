import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@tfjs-peft/source'] },
  ssr: { resolve: { conditions: ['@tfjs-peft/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    server: { deps: { inline: [/@tensorflow\/tfjs-core/] } },
  },
});
