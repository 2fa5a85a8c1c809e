/**
 * `npm run bench receive`: requests per second through an endpoint made with createWebhooks (issue
 * 17), beside a bare node:http server that only reads the body, and beside the README's hand-written
 * verifyRequest endpoint: what the library costs, and what its handlers, answers and adapters add.
 * The body is a valid, signed message.created event of about 1 kB.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { createEventSource } from '../../src/samples/bodies.js';
import { LOAD_GENERATOR, ROOT, SECRET, load, median, startServerProcess } from './lib.js';
import type { Context } from './startup.js';

const ROUNDS = 3;

export async function receive({ dir, env, row }: Context): Promise<void> {
  const body = createEventSource({ types: ['message.created'], now: 1_780_000_000, seed: 17 })(0).bytes.toString();
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  const measure = async (args: string[]) => {
    const server = await startServerProcess('node', args, { env });
    try {
      await load(server.url, 64, 1, body, signature, dir); // warm-up
      return await load(server.url, 64, 4, body, signature, dir);
    } finally {
      await server.stop();
    }
  };
  const endpoint = (which: string) => [join(ROOT, 'test/bench/receive-server.mjs'), which];
  const ours: number[] = [];
  const bare: number[] = [];
  const manual: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await measure(endpoint('webhooks')));
    bare.push(await measure([join(ROOT, 'test/bench/bare-server.mjs')]));
    manual.push(await measure(endpoint('verify-request')));
  }
  const [o, b, m] = [median(ours), median(bare), median(manual)];
  const what = `createWebhooks endpoint, 1 kB events (${LOAD_GENERATOR})`;
  row(
    what,
    `${Math.round(o)} req/s`,
    `${Math.round(m)} req/s (hand-written verifyRequest)`,
    o / m,
    '≥ 0.90×',
    o / m >= 0.9,
  );
  // What verifying and parsing cost at all: no goal, for the reader who compares with `listen`.
  row(
    `hand-written verifyRequest endpoint, 1 kB events (${LOAD_GENERATOR})`,
    `${Math.round(m)} req/s`,
    `${Math.round(b)} req/s (bare node:http)`,
    m / b,
    'none',
    true,
  );
}
