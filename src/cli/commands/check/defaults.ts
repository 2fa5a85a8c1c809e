// check's defaults, named once: --help shows them and the re-run line leaves them out. Both are this
// tool's assumptions (CONTRACT.md: Oblic publishes no timeout).
export const DEADLINE = '5s';
export const TIMEOUT = '10s';
