import type * as Thread from '../../src/cli/commands/listen/thread.js';

// Modules of the build (dist/), for what must run built: a worker thread runs JavaScript files, so
// listen's verifying thread is driven as tsc built it. Each is typed by its source in src/, so the
// typecheck needs no build (npm test runs it beside the build).
const built = (path: string): Promise<unknown> => import(/* @vite-ignore */ `../../dist/${path}`);

/** dist/cli/commands/listen/thread.js, which starts dist/cli/commands/listen/worker.js. */
export const loadVerifyThread = async () => (await built('cli/commands/listen/thread.js')) as typeof Thread;
