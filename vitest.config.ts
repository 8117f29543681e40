import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores on CI machines: keep the pool small so heavy golden tests do not starve each other.
    maxWorkers: 2,
  },
});
