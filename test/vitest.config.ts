import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // Chosen by measurement on a 2-core machine (issue 14). Vitest's default there is one worker, and
    // a test waiting on a spawned listener or a timer leaves the other core idle: two or more. Worker
    // threads rather than forked processes, and one module graph per worker rather than one per file
    // (isolate: false), spend less CPU on vitest itself. No test relies on a module's state, and a CLI
    // run in process reads only its own Io (send's V8 flag --liftoff-only aside: it is process-wide,
    // and changes only how WebAssembly is compiled).
    pool: 'threads',
    isolate: false,
    maxWorkers: Math.max(2, availableParallelism()),
    // End-to-end tests spawn the built binary; give a slow CI machine room, never a sleep.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
