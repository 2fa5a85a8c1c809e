// Baseline: a bare undici Pool sending COUNT signed 1 kB bodies with CONCURRENCY in flight.
import { createHmac } from 'node:crypto';
import { Pool } from 'undici';

const [url, count, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const secret = 'bench-secret-0123456789abcdef';
const pool = new Pool(new URL(url).origin, { connections: concurrency, pipelining: 1 });
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    const body = `{"id":"${String(i).padStart(16, '0')}","type":"message.updated","payload":{"message":"${'x'.repeat(900)}"}}`;
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    const res = await pool.request({
      path: '/',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-oblic-signature': signature },
      body,
    });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
await pool.close();
