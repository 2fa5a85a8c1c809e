/**
 * `npm run bench check`: the whole of `oblic-hooks check` (every probe, about a hundred deliveries)
 * against a fast, correct local endpoint, beside `send all --count 6 --concurrency 8` (90 deliveries
 * to the same endpoint) from the same binary. Issue 15's goal is a time: under 5 s.
 */
import { join } from 'node:path';
import { alternate, BIN, ROOT, startServerProcess, timeProcess } from './lib.js';
import type { Context } from './startup.js';

const ROUNDS = 9;

export async function checkRun({ env, row }: Context): Promise<void> {
  const endpoint = await startServerProcess('node', [join(ROOT, 'test/bench/check-endpoint.mjs')], { env });
  try {
    const check = () => timeProcess('node', [BIN, 'check', endpoint.url], env);
    const send = () =>
      timeProcess('node', [BIN, 'send', 'all', '--count', '6', '--concurrency', '8', '--to', endpoint.url], env);
    await alternate(1, check, send); // warm-up
    const [ours, base] = await alternate(ROUNDS, check, send);
    row(
      'check: every probe against a fast local endpoint (whole process)',
      `${ours.toFixed(0)} ms`,
      `${base.toFixed(0)} ms (send all --count 6 -c 8: 90 deliveries)`,
      ours / base,
      '≤ 5000 ms',
      ours <= 5000,
    );
  } finally {
    await endpoint.stop();
  }
}
