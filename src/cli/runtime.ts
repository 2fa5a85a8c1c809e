import { chooseTransport } from '../wire/deliver.js';

/**
 * Runs through undici of at most this many deliveries end before V8's optimised HTTP parser could pay
 * off. Not the same threshold as NODE_HTTP_RUN in wire/deliver.ts (which transport is faster), though
 * both are 1,000 today: below it, undici is used only for https.
 */
const BASELINE_PARSER_RUN = 1000;

/**
 * Process-wide tuning, in this one place, for a run of `total` deliveries to `target`; called
 * before anything is delivered. undici's HTTP parser is WebAssembly, which V8 compiles twice, at
 * once for a baseline and then optimised on a background thread, and the process cannot exit
 * before that second compile ends: a single `send` through undici spent about 65 ms waiting for it
 * (209 to 142 ms with the baseline only, 15 alternating runs, medians); from about 5,000 deliveries
 * the optimised parser wins. Runs through node:http (src/wire/deliver.ts) compile no WebAssembly.
 */
export async function tuneForDeliveries(target: URL, total: number): Promise<void> {
  if (chooseTransport(target, total) !== 'undici' || total > BASELINE_PARSER_RUN) return;
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--liftoff-only');
}
