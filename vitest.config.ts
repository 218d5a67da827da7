import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own process: TF.js keeps global backend state, and Dawn is a native addon.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
