/** Runs of at most this many deliveries end before V8's optimised HTTP parser could pay off. */
export const SHORT_RUN = 1000;

/**
 * For a short run: undici's HTTP parser is WebAssembly, which V8 compiles twice, at once for a
 * baseline and then optimised on a background thread, and the process cannot exit before that
 * second compile ends. A single `send` spent about 65 ms waiting for it (209 to 142 ms with the
 * baseline only, 15 alternating runs, medians); from about 5,000 deliveries the optimised parser
 * wins. Set before undici compiles anything, and only in commands that are about to deliver.
 */
export async function skipOptimizedHttpParser(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--liftoff-only');
}
