// listen recognises repeats (issue 16), in process: the memory of event ids itself, the listener's
// pipeline (the path of --save, --reject-invalid, --forward-to and --ui) and the verifying thread.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShowOptions } from '../src/cli/commands/listen/show.js';
import { startVerifyThread, type VerifyThread } from '../src/cli/commands/listen/thread.js';
import { createRepeats } from '../src/listen/repeats.js';
import { startListener, type Listener, type RequestRecord } from '../src/listen/server.js';
import { BUILT_WORKER, recordOf } from './helpers/build.js';
import { signatureOf } from './helpers/server.js';

const SECRET = 'repeats-test-secret';
const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 10, 15, 3, ms));
const body = (id: string, n = 0) => Buffer.from(JSON.stringify({ id, type: 'message.created', payload: { n } }));

describe('createRepeats()', () => {
  it('says nothing of a first id, then gives its time and whether the bytes are the same', () => {
    const repeats = createRepeats([SECRET]);
    expect(repeats.check('A', body('A'), at(412))).toBeNull();
    expect(repeats.check('B', body('B'), at(500))).toBeNull();
    expect(repeats.check('A', body('A'), at(600))).toEqual({ receivedAt: at(412), sameBytes: true });
    expect(repeats.check('A', body('A', 1), at(700))).toEqual({ receivedAt: at(412), sameBytes: false });
    // A body that differs by one byte at its end is not the same bytes.
    const other = Buffer.from(body('B'));
    other[other.length - 1] = 0x20;
    expect(repeats.check('B', other, at(800))).toEqual({ receivedAt: at(500), sameBytes: false });
    expect(repeats.size).toBe(2);
  });

  it('compares by signature what verified, and by HMAC what did not or under another secret', () => {
    const OTHER = 'the-other-secret';
    const repeats = createRepeats([SECRET, OTHER]);
    const signed = (data: Buffer, secret: number) => ({
      secret,
      signature: signatureOf([SECRET, OTHER][secret]!, data),
    });
    const [a, a2] = [body('A'), body('A', 2)];
    expect(repeats.check('A', a, at(1), signed(a, 1))).toBeNull();
    expect(repeats.check('A', a, at(2))).toEqual({ receivedAt: at(1), sameBytes: true }); // unsigned copy
    expect(repeats.check('A', a, at(3), signed(a, 0))).toEqual({ receivedAt: at(1), sameBytes: true }); // re-signed
    expect(repeats.check('A', a, at(4), { secret: 1, signature: ` ${signed(a, 1).signature.toUpperCase()} ` })).toEqual(
      { receivedAt: at(1), sameBytes: true },
    );
    expect(repeats.check('A', a2, at(5), signed(a2, 1))).toEqual({ receivedAt: at(1), sameBytes: false });
    expect(repeats.check('A', a2, at(6), signed(a2, 0))).toEqual({ receivedAt: at(1), sameBytes: false });
    expect(repeats.check('A', a2, at(7))).toEqual({ receivedAt: at(1), sameBytes: false });
    // Unsigned first, then signed.
    expect(repeats.check('B', body('B'), at(8))).toBeNull();
    expect(repeats.check('B', body('B'), at(9), signed(body('B'), 0))).toEqual({ receivedAt: at(8), sameBytes: true });
    expect(repeats.check('B', body('B'), at(9), signed(body('B'), 1))).toEqual({ receivedAt: at(8), sameBytes: true });
    expect(repeats.check('B', body('B', 1), at(9), signed(body('B', 1), 0))).toEqual({
      receivedAt: at(8),
      sameBytes: false,
    });
  });

  it('forgets the oldest ids past its count, and remembers the newest', () => {
    const repeats = createRepeats([SECRET], { count: 1000, bytes: 1 << 30 });
    for (let i = 0; i < 2500; i++) expect(repeats.check(`id${i}`, body(`id${i}`), at(i % 1000))).toBeNull();
    expect(repeats.size).toBe(1000);
    // Checked newest first: a forgotten id checked now would be remembered again, and push out the oldest.
    for (let i = 2499; i >= 1500; i--) expect(repeats.check(`id${i}`, body(`id${i}`), at(0))).not.toBeNull();
    expect(repeats.check('id1499', body('id1499'), at(0))).toBeNull();
    expect(repeats.check('id0', body('id0'), at(0))).toBeNull();
    expect(repeats.size).toBe(1000);
  });

  it('forgets the oldest ids past its byte budget, and keeps one id larger than all of it, alone', () => {
    const repeats = createRepeats([SECRET], { count: 100_000, bytes: 10_000 });
    const long = 'L'.repeat(4000); // 8,064 of the 10,000 (64 + 2 a character)
    expect(repeats.check(long, body('x'), at(1))).toBeNull();
    for (let i = 0; i < 40; i++) repeats.check(`s${i}`, body(`s${i}`), at(2)); // 68 or 70 each: 2,760 in all
    expect(repeats.check('s39', body('s39'), at(3))).not.toBeNull();
    expect(repeats.check(long, body('x'), at(3))).toBeNull(); // pushed out by the short ones: new again
    // Back in, it leaves room for 28 short ones at most.
    expect(repeats.size).toBeLessThanOrEqual(1 + 28);
    expect(repeats.check('s39', body('s39'), at(4))).not.toBeNull();
    const huge = 'H'.repeat(6000);
    expect(repeats.check(huge, body('h'), at(5))).toBeNull();
    expect(repeats.size).toBe(1);
    expect(repeats.check(huge, body('h'), at(6))).toEqual({ receivedAt: at(5), sameBytes: true });
  });
});

let listeners: Listener[] = [];
let threads: VerifyThread[] = [];
afterEach(async () => {
  await Promise.all([...listeners.map((l) => l.close()), ...threads.map((t) => t.close())]);
  listeners = [];
  threads = [];
});

function post(url: URL, data: Buffer, sign = true): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (sign) headers['x-oblic-signature'] = signatureOf(SECRET, data);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) =>
      res.resume().on('end', () => resolve(res.statusCode!)),
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function listener(options: { rejectInvalid?: boolean; count?: number } = {}) {
  const shown: RequestRecord[] = [];
  const l = await startListener({
    host: '127.0.0.1',
    port: 0,
    maxBody: 1 << 20,
    secrets: [SECRET],
    status: 200,
    delayMs: 0,
    rejectInvalid: options.rejectInvalid ?? false,
    onRequest: (record) => void shown.push(record),
    ...(options.count ? { repeats: createRepeats([SECRET], { count: options.count, bytes: 1 << 20 }) } : {}),
  });
  listeners.push(l);
  return { url: l.url, shown };
}

describe('the listener pipeline marks repeats', () => {
  it('marks a second delivery of the same bytes, and one of the same id with other bytes', async () => {
    const { url, shown } = await listener();
    for (const data of [body('A'), body('B'), body('A'), body('A', 1), Buffer.from('{"not":"an event"}')])
      await post(url, data);
    await post(url, Buffer.from('{"not":"an event"}'));
    const first = shown[0]!.receivedAt;
    expect(shown.map((r) => r.duplicateOf)).toEqual([
      null,
      null,
      { receivedAt: first, sameBytes: true },
      { receivedAt: first, sameBytes: false },
      null, // not an event: never a repeat
      null,
    ]);
  });

  it('marks a repeat that --reject-invalid answers 401, and one the first of which was rejected', async () => {
    const { url, shown } = await listener({ rejectInvalid: true });
    expect(await post(url, body('A'), false)).toBe(401);
    expect(await post(url, body('A'))).toBe(200);
    expect(await post(url, body('A'), false)).toBe(401);
    expect(shown.map((r) => r.duplicateOf?.sameBytes ?? null)).toEqual([null, true, true]);
  });

  it('forgets the oldest id once more distinct ids than its bound have come', async () => {
    const { url, shown } = await listener({ count: 3 });
    for (const id of ['A', 'B', 'C', 'C', 'D', 'A', 'D']) await post(url, body(id));
    // C's repeat is remembered; D pushes A out, so A comes as new (and pushes B out); D is still known.
    expect(shown.map((r) => (r.duplicateOf ? 'repeat' : 'first'))).toEqual([
      'first',
      'first',
      'first',
      'repeat',
      'first',
      'first',
      'repeat',
    ]);
  });
});

describe('the verifying thread marks repeats', () => {
  const show: ShowOptions = { json: true, verbose: false, headers: false, events: undefined, exitAfter: undefined };

  async function run(bodies: Buffer[], count?: number): Promise<Array<{ duplicate_of: unknown; received_at: string }>> {
    const lines: string[] = [];
    const thread = startVerifyThread(
      {
        secrets: [SECRET],
        otherSecrets: [],
        show,
        color: false,
        ...(count ? { repeatLimits: { count, bytes: 1 << 20 } } : {}),
      },
      (text) => void lines.push(...text.split('\n')),
      () => undefined,
      BUILT_WORKER,
    );
    threads.push(thread);
    bodies.forEach((data, i) => {
      const record = recordOf(i + 1, data, [['x-oblic-signature', signatureOf(SECRET, data)]]);
      record.receivedAt = at(i);
      thread.push(record);
    });
    await thread.drain();
    return lines.map((line) => JSON.parse(line) as { duplicate_of: unknown; received_at: string });
  }

  it('gives duplicate_of on the NDJSON line: null, or the first time and same_bytes', async () => {
    const lines = await run([body('A'), body('B'), body('A'), body('B', 2), Buffer.from('not json')]);
    expect(lines.map((l) => l.duplicate_of)).toEqual([
      null,
      null,
      { received_at: at(0).toISOString(), same_bytes: true },
      { received_at: at(1).toISOString(), same_bytes: false },
      null,
    ]);
  });

  it('is bounded there too: past its count the oldest id is forgotten', async () => {
    const lines = await run(
      ['A', 'B', 'C', 'A', 'B'].map((id) => body(id)),
      2,
    );
    expect(lines.map((l) => l.duplicate_of !== null)).toEqual([false, false, false, false, false]);
    const kept = await run(
      ['A', 'B', 'C', 'C', 'B'].map((id) => body(id)),
      2,
    );
    expect(kept.map((l) => l.duplicate_of !== null)).toEqual([false, false, false, true, true]);
  });
});
