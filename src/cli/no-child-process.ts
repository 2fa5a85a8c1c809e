/**
 * Stands in for node:child_process in the start-up bundle only (esbuild --alias). Commander requires
 * it at load time for executable subcommands, which oblic-hooks never defines; loading the real
 * module (and node:net behind it) cost about 10 ms of every start.
 */
export function spawn(): never {
  throw new Error('oblic-hooks has no executable subcommands (node:child_process is not bundled)');
}
