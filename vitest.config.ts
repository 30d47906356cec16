import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each file gets its own process: resource-leak tests count this process's handles.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
