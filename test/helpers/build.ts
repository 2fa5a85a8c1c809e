// What must run built: a worker thread runs JavaScript files, so the tests drive listen's verifying
// thread from src/ with the bundle's worker (dist/bundle/worker.js, which npm test builds first).
export const BUILT_WORKER = new URL('../../dist/bundle/worker.js', import.meta.url);
