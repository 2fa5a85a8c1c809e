// The verifying thread of `listen`, driven directly. Its worker is the built one (npm test builds
// first): a worker thread runs JavaScript files, not the TypeScript sources.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShowOptions } from '../src/cli/commands/listen/show.js';
import { startVerifyThread, type VerifyThread } from '../src/cli/commands/listen/thread.js';
import type { RequestRecord } from '../src/listen/server.js';
import { signatureOf } from './helpers/server.js';
import { BUILT_WORKER, recordOf } from './helpers/build.js';

const SECRET = 'thread-test-secret';
const show: ShowOptions = { json: true, verbose: false, headers: false, events: undefined, exitAfter: undefined };
let threads: VerifyThread[] = [];
afterEach(async () => {
  await Promise.all(threads.map((t) => t.close()));
  threads = [];
});

function record(seq: number, sign = true): RequestRecord {
  const body = Buffer.from(JSON.stringify({ id: `id${seq}`, type: 'message.created', payload: { n: seq } }));
  const headers: Array<[string, string]> = [['content-type', 'application/json']];
  if (sign) headers.push(['x-oblic-signature', signatureOf(SECRET, body)]);
  return recordOf(seq, body, headers);
}

function start(
  write: (text: string) => Promise<void> | undefined,
  options: Partial<ShowOptions> = {},
  onReached = () => undefined,
) {
  const thread = startVerifyThread(
    { secrets: [SECRET], otherSecrets: [], show: { ...show, ...options }, color: false },
    write,
    onReached,
    BUILT_WORKER,
  );
  threads.push(thread);
  return thread;
}

describe('the verifying thread', () => {
  it('shows every record pushed, in order, once drained, and counts them', async () => {
    const lines: string[] = [];
    const thread = start((text) => void lines.push(...text.split('\n')));
    for (let seq = 1; seq <= 3000; seq++) thread.push(record(seq, seq % 10 !== 0));
    await thread.drain(); // straight after pushing: nothing has been answered yet
    const parsed = lines.map(
      (line) => JSON.parse(line) as { verified: boolean; reason: string | null; event: { id: string } },
    );
    expect(parsed.map((line) => line.event.id)).toEqual(Array.from({ length: 3000 }, (_, i) => `id${i + 1}`));
    expect(parsed.filter((line) => !line.verified).every((line) => line.reason === 'missing_signature')).toBe(true);
    expect(thread.tally).toMatchObject({ received: 3000, shown: 3000, verified: 2700, unsigned: 300, invalid: 0 });
  });

  it('holds answers while the output waits, and while the worker is far behind', async () => {
    let release = () => undefined as void;
    const output = new Promise<void>((resolve) => (release = resolve));
    let writes = 0;
    const thread = start(() => (++writes === 1 ? output : undefined));
    expect(thread.push(record(1))).toBeUndefined();
    await new Promise<void>((resolve) => {
      const check = () => (writes > 0 ? resolve() : setImmediate(check));
      check();
    });
    const held = thread.push(record(2));
    expect(held).toBeInstanceOf(Promise);
    release();
    await held;
    // Far behind: thousands pushed in one turn, before the worker could answer any.
    let behind: Promise<void> | undefined;
    for (let seq = 3; seq < 5000 && !behind; seq++) behind = thread.push(record(seq));
    expect(behind).toBeInstanceOf(Promise);
    await behind;
    await thread.drain();
  });

  it('says when --exit-after is reached and shows no more than that', async () => {
    const lines: string[] = [];
    let reached = 0;
    const thread = start(
      (text) => void lines.push(...text.split('\n')),
      { exitAfter: 5 },
      () => void (reached += 1),
    );
    for (let seq = 1; seq <= 20; seq++) thread.push(record(seq));
    await thread.drain();
    expect(lines).toHaveLength(5);
    expect(reached).toBeGreaterThan(0);
    expect(thread.tally).toMatchObject({ received: 20, shown: 20 });
  });

  it('fails loudly, never silently, when the worker breaks', async () => {
    const thread = start(() => undefined);
    const broken = { ...record(1), headers: null } as unknown as RequestRecord;
    thread.push(broken);
    let behind: Promise<void> | undefined;
    for (let seq = 2; seq < 6000 && !behind; seq++) behind = thread.push(record(seq));
    expect(behind).toBeInstanceOf(Promise);
    await expect(thread.failed).rejects.toThrow(/the verifying thread failed/);
    await behind; // the answers it held go out, so the listener can still close
    await expect(thread.drain()).rejects.toThrow(/the verifying thread failed/);
  });
});
