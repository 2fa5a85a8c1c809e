import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn the built binary; give a slow CI machine room, never a sleep.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
