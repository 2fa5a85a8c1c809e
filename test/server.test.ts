import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startListener, type Listener, type ListenerOptions, type RequestRecord } from '../src/listen/server.js';
import { signatureOf } from './helpers/server.js';

const SECRET = 'server-test-secret';
let open: Listener[] = [];
afterEach(async () => {
  await Promise.all(open.map((l) => l.close()));
  open = [];
});

async function listener(onRequest: ListenerOptions['onRequest']): Promise<Listener> {
  const l = await startListener({
    host: '127.0.0.1',
    port: 0,
    maxBody: 1 << 20,
    secrets: [SECRET],
    status: 200,
    delayMs: 0,
    rejectInvalid: false,
    onRequest,
  });
  open.push(l);
  return l;
}

function post(url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-oblic-signature': signatureOf(SECRET, Buffer.from(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the listener core', () => {
  it('answers 64 requests sent at once, each after it was verified and shown', async () => {
    const shown: RequestRecord[] = [];
    const l = await listener((record) => void shown.push(record));
    const bodies = Array.from({ length: 64 }, (_, i) =>
      JSON.stringify({ id: `id${i}`, type: 'message.created', payload: {} }),
    );
    const answers = await Promise.all(bodies.map((body) => post(l.url, body)));
    expect(answers.every((a) => a.status === 200 && a.body === '{"received":true}')).toBe(true);
    expect(shown).toHaveLength(64);
    expect(shown.every((record) => record.inspection?.verdict.verified)).toBe(true);
    expect(new Set(shown.map((record) => record.inspection?.event?.id))).toEqual(
      new Set(bodies.map((_, i) => `id${i}`)),
    );
  });

  it('a failure while handling one request answers it 500 and the listener goes on', async () => {
    let calls = 0;
    const l = await listener(() => {
      if (++calls === 1) throw new Error('renderer broke');
    });
    expect(await post(l.url, '{}')).toEqual({
      status: 500,
      body: '{"error":"oblic-hooks failed on this request: renderer broke"}',
    });
    expect(await post(l.url, '{}')).toEqual({ status: 200, body: '{"received":true}' });
  });

  it('close() waits for an answer held by output backpressure, which then still goes out', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let seen = () => undefined as void;
    const arrived = new Promise<void>((resolve) => (seen = resolve));
    const l = await listener(() => {
      seen();
      return held;
    });
    const answer = post(l.url, '{}');
    await arrived;
    let closed = false;
    const closing = l.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release();
    expect((await answer).status).toBe(200);
    await closing;
    open = [];
  });
});
