// Issue 13, in process: the listener's memory is bounded in bytes (item 3), and a record that cannot
// be formatted is still counted and shown (item 1). The thread's worker is the built one, as in
// listen-thread.test.ts: a worker runs JavaScript files.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShowOptions } from '../src/cli/commands/listen/show.js';
import { createShower } from '../src/cli/commands/listen/show.js';
import { startVerifyThread, type VerifyThread } from '../src/cli/commands/listen/thread.js';
import { createBudget } from '../src/base/budget.js';
import type { Inspection } from '../src/wire/verdict.js';
import { PLAIN } from '../src/cli/io.js';
import { BUILT_WORKER, recordOf } from './helpers/build.js';

const show: ShowOptions = { json: false, verbose: false, headers: false, events: undefined, exitAfter: undefined };
let threads: VerifyThread[] = [];
afterEach(async () => {
  await Promise.all(threads.map((t) => t.close()));
  threads = [];
});

const record = (seq: number, body: Buffer) => recordOf(seq, body);

describe('the verifying thread (issue 13, item 3)', () => {
  it('holds answers once 8 MiB of bodies wait for it, long before 4,096 requests do', async () => {
    const thread = startVerifyThread(
      { secrets: ['s'], otherSecrets: [], show, color: false },
      () => undefined,
      () => undefined,
      BUILT_WORKER,
    );
    threads.push(thread);
    const body = Buffer.alloc(1024 * 1024, 'x');
    let pushed = 0;
    let held: Promise<void> | undefined;
    while (!held && pushed < 100) held = thread.push(record(++pushed, body)); // one turn: the worker has answered none
    expect(held).toBeInstanceOf(Promise);
    expect(pushed).toBe(8);
    await held; // and they go out as the worker catches up
    await thread.drain();
    expect(thread.tally.received).toBe(8);
  });
});

describe('the budget of bodies held at once (issue 13, item 3)', () => {
  it('lets bodies in while they fit, the rest in order as bytes are released', () => {
    const budget = createBudget(100);
    const started: string[] = [];
    budget.take(60, () => started.push('a'));
    budget.take(60, () => started.push('b'));
    budget.take(10, () => started.push('c')); // fits, but waits its turn behind b
    expect(started).toEqual(['a']);
    budget.release(60);
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('always lets one in when nothing is held, however large', () => {
    const budget = createBudget(100);
    const started: string[] = [];
    budget.take(500, () => started.push('big'));
    budget.take(1, () => started.push('small'));
    expect(started).toEqual(['big']);
    budget.release(500);
    expect(started).toEqual(['big', 'small']);
  });
});

describe('a record that cannot be formatted (issue 13, item 1)', () => {
  it('is counted and shown as a fallback row with its verdict and why', () => {
    const throwing = {
      get message(): string {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    const inspection = {
      verdict: { verified: false, reason: 'mismatch', message: 'the signature does not match', matchedSecret: null },
      hints: [],
      event: {
        get id(): string {
          return throwing.message;
        },
        type: 'message.created',
      },
      notes: [],
    } as unknown as Inspection;
    const shower = createShower(PLAIN, show);
    const text = shower.show({ ...record(1, Buffer.from('{}')), inspection });
    expect(text).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} {2}POST \/ {2}✘ mismatch {2}this request could not be shown: Maximum call stack size exceeded$/,
    );
    expect(shower.tally).toMatchObject({ received: 1, shown: 1, invalid: 1 });
    const json = createShower(PLAIN, { ...show, json: true }).show({ ...record(2, Buffer.from('{}')), inspection });
    expect(JSON.parse(json!)).toMatchObject({
      method: 'POST',
      verified: false,
      reason: 'mismatch',
      status: 200,
      error: 'this request could not be shown: Maximum call stack size exceeded',
    });
  });
});
