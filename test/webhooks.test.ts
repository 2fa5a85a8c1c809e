// Issue 17: createWebhooks, the receiving side. Every status of the contract, the handlers, and
// idempotency, through a real node:http server on 127.0.0.1 port 0 (webhooks.node()).
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { EventType } from '../src/oblic/events.js';
import type { Contact, Conversation, Message, OblicEvent } from '../src/oblic/models.js';
import { createWebhooks, type Webhooks } from '../src/receive/adapters.js';
import { createMemoryStore, type IdempotencyStore } from '../src/receive/idempotency.js';
import type { WebhooksOptions } from '../src/receive/webhooks.js';
import { createEventSource } from '../src/samples/bodies.js';
import { post } from './helpers/deliver.js';

const SECRET = 'webhooks-test-secret-17';
const sig = (body: Buffer | string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
let seeds = 0;
/** A fresh event of `type` (a new id each call: the same id twice would be a duplicate). */
const sample = (type: EventType) => createEventSource({ types: [type], now: 1_780_000_000, seed: ++seeds })(0).bytes;
const json = { 'content-type': 'application/json' };
const signed = (body: Buffer) => ({ ...json, 'x-oblic-signature': sig(body) });
const MiB = 1024 * 1024;

let closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
  vi.restoreAllMocks();
});

/** A webhooks object served by plain node:http on a free port; `send` posts one body to /webhooks. */
async function serve(options: Partial<WebhooksOptions> = {}, setUp: (webhooks: Webhooks) => void = () => {}) {
  const webhooks = createWebhooks({ secrets: [SECRET], ...options });
  setUp(webhooks);
  const server: Server = createServer(webhooks.node({ path: '/webhooks' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  const port = (server.address() as AddressInfo).port;
  const send = (body: Buffer, headers: Record<string, string> = signed(body)) => post(port, headers, [body]);
  return { webhooks, port, send, server };
}

/** A promise and the function that settles it: a test waits on an event, never on a sleep. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => (open = resolve));
  return { open, opened };
}

describe('createWebhooks(): the status for each delivery (a documented contract)', () => {
  it('a signed event with a handler: 204, and the handler got the typed event', async () => {
    const seen: OblicEvent[] = [];
    const { send } = await serve({}, (w) => w.on('message.created', (event) => void seen.push(event)));
    const body = sample('message.created');
    const answer = await send(body);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(seen.map((e) => e.id)).toEqual([JSON.parse(body.toString()).id]);
  });

  it('missing, malformed or mismatched signature: 401 with a JSON {error}, and no handler runs', async () => {
    const handler = vi.fn();
    const { send } = await serve({}, (w) => w.on('*', handler));
    const body = sample('contact.created');
    const answers = [
      await send(body, json),
      await send(body, { ...json, 'x-oblic-signature': 'sha256=abc' }),
      await send(body, { ...json, 'x-oblic-signature': sig(body, 'another-secret') }),
      await send(Buffer.concat([body, Buffer.from(' ')]), signed(body)),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    for (const answer of answers) {
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(JSON.parse(answer.text))).toEqual(['error']);
      // Never the secret, never the signature that would have matched.
      expect(answer.text).not.toContain(SECRET);
      expect(answer.text).not.toContain(sig(body));
      expect(answer.text).not.toContain(sig(Buffer.concat([body, Buffer.from(' ')])));
    }
    expect(JSON.parse(answers[0]!.text).error).toMatch(/no x-oblic-signature header/);
    expect(handler).not.toHaveBeenCalled();
  });

  it('decides a missing signature from the header, before the body has even finished arriving', async () => {
    const { port } = await serve();
    const answer = await post(port, json, [Buffer.from('{"id":')], false);
    expect(answer.status).toBe(401);
  });

  it('over maxBody: 413 while the sender is still sending, and a declared length over it unread', async () => {
    const { port } = await serve({ maxBody: 64 * 1024 });
    const streaming = await post(port, { ...json, 'x-oblic-signature': sig('x') }, [Buffer.alloc(MiB)], false);
    expect(streaming.status).toBe(413);
    expect(JSON.parse(streaming.text).error).toMatch(/over maxBody \(65536 bytes\)/);
    const declared = await post(
      port,
      { ...json, 'x-oblic-signature': sig('x'), 'content-length': String(10 * MiB) },
      [Buffer.alloc(10)],
      false,
    );
    expect(declared.status).toBe(413);
  });

  it('a verified body that is not JSON, or not an Oblic event: 400 naming the problem', async () => {
    const { send } = await serve();
    const notJson = Buffer.from('{"id": oops');
    expect((await send(notJson)).status).toBe(400);
    const noPayload = Buffer.from(JSON.stringify({ id: 'aaaaaaaaaaaaaaaa', type: 'message.created' }));
    const answer = await send(noPayload);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toMatch(/payload/);
    // No type, or one that is not <resource>.<action>, is not a type Oblic may add: 400, not 204.
    for (const type of [undefined, 42, 'message']) {
      const odd = Buffer.from(JSON.stringify({ id: 'cccccccccccccccc', type, payload: {} }));
      expect((await send(odd)).status).toBe(400);
    }
  });

  it("a type nobody handles, or one Oblic may add later: 204, and a '*' handler is not given it", async () => {
    const all = vi.fn();
    const { send } = await serve({}, (w) => w.on('message.*', all));
    expect((await send(sample('contact.created'))).status).toBe(204);
    const later = Buffer.from(JSON.stringify({ id: 'bbbbbbbbbbbbbbbb', type: 'poll.created', payload: { id: 'x' } }));
    expect((await send(later)).status).toBe(204);
    expect(all).not.toHaveBeenCalled();
  });

  it('a handler that throws: 500 (so the sender retries), onError gets the error and the event', async () => {
    const failure = new Error('database down');
    const reported = gate<[unknown, OblicEvent | null]>();
    const { send } = await serve({}, (w) =>
      w
        .on('group.created', () => {
          throw failure;
        })
        .onError((error, event) => reported.open([error, event])),
    );
    const body = sample('group.created');
    const answer = await send(body);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toEqual({ error: 'the handler of group.created failed; retry the delivery later' });
    expect(answer.text).not.toContain('database down');
    const [error, event] = await reported.opened;
    expect(error).toBe(failure);
    expect(event?.id).toBe(JSON.parse(body.toString()).id);
  });

  it('without onError, a failing handler is logged on stderr rather than lost', async () => {
    const logged = gate<unknown[]>();
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => logged.open(args));
    const { send } = await serve({}, (w) =>
      w.on('group.updated', async () => {
        throw new Error('nobody listens');
      }),
    );
    expect((await send(sample('group.updated'))).status).toBe(500);
    const [line, error] = await logged.opened;
    expect(line).toMatch(/^oblic-hooks: a handler of group\.updated \(event [A-Za-z0-9]{16}\) failed:$/);
    expect((error as Error).message).toBe('nobody listens');
  });

  it('an onError that throws or rejects: both errors go to console.error, and the answer is still 500', async () => {
    const logged: unknown[][] = [];
    const both = gate();
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args);
      if (logged.length === 2) both.open();
    });
    const { send } = await serve({}, (w) =>
      w
        .on('message.deleted', () => {
          throw new Error('handler');
        })
        .onError(() => {
          throw new Error('sync onError');
        })
        .onError(async () => {
          throw new Error('async onError');
        }),
    );
    expect((await send(sample('message.deleted'))).status).toBe(500);
    await both.opened;
    expect(
      logged.map(([line, thrown, , error]) => [line, (thrown as Error).message, (error as Error).message]),
    ).toEqual([
      ['oblic-hooks: onError threw', 'sync onError', 'handler'],
      ['oblic-hooks: onError threw', 'async onError', 'handler'],
    ]);
  });

  it('another method than POST: 405 with Allow: POST; another path: 404 naming the right one', async () => {
    const { port } = await serve();
    const slash = sample('contact.deleted');
    expect((await post(port, signed(slash), [slash], true, '/webhooks/?from=oblic')).status).toBe(204);
    const get = await post(port, {}, [], true, '/webhooks', 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const elsewhere = await post(port, json, [Buffer.from('{}')], true, '/hooks');
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.text).error).toBe('no webhook endpoint here; it is at /webhooks');
  });

  it('misuse is a TypeError at start-up, naming what to pass', () => {
    const secret: string | undefined = undefined;
    expect(() => createWebhooks({ secrets: [secret as unknown as string] })).toThrow(
      /createWebhooks\(\) needs at least one non-empty secret \(is OBLIC_WEBHOOK_SECRET set\?\)/,
    );
    expect(() => createWebhooks({} as WebhooksOptions)).toThrow(
      /createWebhooks\(\{ secrets \}\) needs the endpoint secret/,
    );
    expect(() => createWebhooks({ secrets: 's', idempotency: {} as IdempotencyStore })).toThrow(
      /has\(id\) and add\(id\)/,
    );
    // An unset variable in a list is skipped (a rotation's PREVIOUS once it is gone); a wrong type is not.
    expect(() => createWebhooks({ secrets: ['s', undefined, ''] })).not.toThrow();
    expect(() => createWebhooks({ secrets: ['', undefined] })).toThrow(/at least one non-empty secret/);
    expect(() => createWebhooks({ secrets: ['s', 42 as unknown as string] })).toThrow(
      /secrets\[1\] is number, not a string/,
    );
    expect(() => createWebhooks({ secrets: [null as unknown as string, 's'] })).toThrow(/secrets\[0\] is null/);
    const webhooks = createWebhooks({ secrets: 's' });
    expect(() => webhooks.on('message.craeted' as EventType, () => {})).toThrow(/did you mean "message\.created"\?/);
    expect(() => webhooks.on('poll.created' as EventType, () => {})).toThrow(/not an Oblic event type or pattern/);
    expect(() => webhooks.node({ path: 'webhooks' })).toThrow(/must start with "\/"/);
  });
});

describe('createWebhooks(): handlers', () => {
  it('several per type run one after another in registration order, globs and lists included', async () => {
    const order: string[] = [];
    const { send } = await serve({}, (w) =>
      w
        .on('*', async () => {
          await Promise.resolve();
          order.push('any');
        })
        .on('message.created', () => void order.push('exact'))
        .on(['contact.created', 'message.created'], () => void order.push('list'))
        .on('*.created', () => void order.push('action'))
        .on('message.*', () => void order.push('resource')),
    );
    await send(sample('message.created'));
    expect(order).toEqual(['any', 'exact', 'list', 'action', 'resource']);
    order.length = 0;
    await send(sample('message.deleted'));
    expect(order).toEqual(['any', 'resource']);
  });

  it('the first handler that throws stops the rest; its retry runs them all again', async () => {
    const ran: string[] = [];
    let fail = true;
    const { send } = await serve({}, (w) =>
      w
        .on('contact.updated', () => void ran.push('first'))
        .on('contact.updated', () => {
          ran.push('second');
          if (fail) throw new Error('once');
        })
        .on('contact.updated', () => void ran.push('third'))
        .onError(() => {}),
    );
    const body = sample('contact.updated');
    expect((await send(body)).status).toBe(500);
    fail = false;
    expect((await send(body)).status).toBe(204);
    expect(ran).toEqual(['first', 'second', 'first', 'second', 'third']);
  });

  it('off() removes one handler, for the types it names', async () => {
    const a = vi.fn();
    const b = vi.fn();
    const { webhooks, send } = await serve({ idempotency: false }, (w) => w.on('message.*', a).on('message.*', b));
    webhooks.off('message.*', a).off('message.deleted', b);
    await send(sample('message.created'));
    await send(sample('message.deleted'));
    expect(a).not.toHaveBeenCalled();
    expect(b.mock.calls.map(([event]) => (event as OblicEvent).type)).toEqual(['message.created']);
    // Registered twice, removed once: it still runs once.
    const c = vi.fn();
    webhooks.on('group.created', c).on('group.created', c).off('group.created', c);
    await send(sample('group.created'));
    expect(c).toHaveBeenCalledTimes(1);
  });

  it('narrows the event for each pattern (checked by tsc in npm test)', () => {
    const webhooks = createWebhooks({ secrets: 's' });
    webhooks.on('message.created', (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'message.created'>();
      expectTypeOf(event.payload).toEqualTypeOf<Message>();
    });
    webhooks.on('contact.*', (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'contact.created' | 'contact.updated' | 'contact.deleted'>();
      expectTypeOf(event.payload).toEqualTypeOf<Contact>();
    });
    webhooks.on('*.deleted', (event) => {
      expectTypeOf(
        event.type,
      ).toEqualTypeOf<`${'contact' | 'conversation' | 'message' | 'group' | 'attachment'}.deleted`>();
    });
    webhooks.on(['conversation.created', 'message.updated'], (event) => {
      expectTypeOf(event.payload).toEqualTypeOf<Conversation | Message>();
    });
    webhooks.on('*', (event) => expectTypeOf(event).toEqualTypeOf<OblicEvent>());
    const typeErrors = () => {
      // @ts-expect-error: not an Oblic event type
      webhooks.on('message.sent', () => {});
      // @ts-expect-error: a contact has no message text
      webhooks.on('contact.created', (event) => event.payload.message);
    };
    expect(typeErrors).toThrow(/did you mean "message\.\*"\?/);
  });
});

describe('createWebhooks(): a retried delivery runs the handlers once', () => {
  it('the same bytes again after a success: 204 without running the handlers', async () => {
    const handler = vi.fn();
    const { send } = await serve({}, (w) => w.on('attachment.created', handler));
    const body = sample('attachment.created');
    expect((await send(body)).status).toBe(204);
    expect((await send(body)).status).toBe(204);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('at once: the second waits for the first and gets its answer, and the handler runs once', async () => {
    const started = gate();
    const release = gate();
    const handler = vi.fn(async () => {
      started.open();
      await release.opened;
    });
    const { send, server } = await serve({}, (w) => w.on('conversation.created', handler));
    const body = sample('conversation.created');
    const first = send(body);
    await started.opened;
    // The second body read to its end, then one turn for its verification to reach the handlers.
    const secondRead = new Promise<void>((resolve) =>
      server.once('request', (req) => req.on('end', () => setImmediate(resolve))),
    );
    const second = send(body);
    await secondRead;
    release.open();
    expect([(await first).status, (await second).status]).toEqual([204, 204]);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('a first delivery whose handler never settles holds its duplicates for duplicateWait, then a retry runs', async () => {
    const started = gate();
    let calls = 0;
    const { send } = await serve({ duplicateWait: 100 }, (w) =>
      w.on('contact.created', () => {
        calls += 1;
        if (calls > 1) return;
        started.open();
        return new Promise(() => {}); // hangs for good
      }),
    );
    const body = sample('contact.created');
    void send(body).catch(() => {}); // its connection is closed with the server
    await started.opened;
    const retry = await send(body);
    expect([retry.status, calls]).toEqual([204, 2]);
    // Handled now: a later duplicate neither waits nor runs it again.
    expect([(await send(body)).status, calls]).toEqual([204, 2]);
    expect(() => createWebhooks({ secrets: 's', duplicateWait: -1 })).toThrow(/duplicateWait.*number of ms/);
    expect(() => createWebhooks({ secrets: 's', duplicateWait: '30000' as unknown as number })).toThrow(
      /got "30000" \(string\)$/,
    );
  });

  it('a shared store of your own (here async) is asked and written; `false` turns it off', async () => {
    const calls: string[] = [];
    const ids = new Set<string>();
    const store: IdempotencyStore = {
      has: async (id) => (calls.push(`has ${id}`), ids.has(id)),
      add: async (id) => void (calls.push(`add ${id}`), ids.add(id)),
    };
    const handler = vi.fn();
    const { send } = await serve({ idempotency: store }, (w) => w.on('message.updated', handler));
    const body = sample('message.updated');
    const id = JSON.parse(body.toString()).id as string;
    await send(body);
    await send(body);
    expect(calls).toEqual([`has ${id}`, `add ${id}`, `has ${id}`]);
    expect(handler).toHaveBeenCalledTimes(1);

    const off = await serve({ idempotency: false }, (w) => w.on('message.updated', handler));
    await off.send(body);
    await off.send(body);
    expect(handler).toHaveBeenCalledTimes(3);
  });

  it('a store that fails: 500 and onError, so the event is retried rather than lost', async () => {
    const reported = gate<unknown>();
    const broken: IdempotencyStore = {
      has: () => Promise.reject(new Error('redis is down')),
      add: () => {},
    };
    const handler = vi.fn();
    const { send } = await serve({ idempotency: broken }, (w) =>
      w.on('group.deleted', handler).onError((error) => reported.open(error)),
    );
    const answer = await send(sample('group.deleted'));
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text).error).toMatch(/idempotency store failed/);
    expect(((await reported.opened) as Error).message).toBe('redis is down');
    expect(handler).not.toHaveBeenCalled();
  });

  it('the in-memory store keeps the last `max` ids, the oldest forgotten first', () => {
    const store = createMemoryStore({ max: 2 });
    store.add('a');
    store.add('b');
    store.add('a'); // seen again: now the newest
    store.add('c');
    expect(['a', 'b', 'c'].map((id) => store.has(id))).toEqual([true, false, true]);
    expect(() => createMemoryStore({ max: 0 })).toThrow(TypeError);
  });
});
