/**
 * A short run delivers through node:http, a long one through undici's Pool (src/wire/deliver.ts).
 * Both must put the same bytes on the wire and report every answer, and every way an answer fails,
 * in the same words. Each case here is a raw TCP server that answers one way; both transports
 * deliver to it and their results are compared, with what undici reports written out.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseTransport, createDeliverer, type DeliveryResult, NODE_HTTP_RUN } from '../src/wire/deliver.js';
import { buildRequest, replayRequest, type OutgoingRequest } from '../src/wire/request.js';
import { startCli } from './helpers/cli.js';
import { startServer } from './helpers/server.js';

const SECRET = 'test-secret-5f1c2a9e';
const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 17\r\n\r\n{"received":true}';

interface Seen {
  /** Every request's bytes, by connection. */
  connections: Buffer[];
}

/** A server that calls `answer` once each whole request (head and content-length body) has arrived. */
async function rawServer(answer: (socket: Socket, index: number) => void): Promise<{ url: URL; seen: Seen }> {
  const seen: Seen = { connections: [] };
  let requests = 0;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    const at = seen.connections.push(Buffer.alloc(0)) - 1;
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      seen.connections[at] = Buffer.concat([seen.connections[at]!, chunk]);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const head = pending.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.subarray(0, head).toString('latin1'))?.[1] ?? 0);
        if (pending.length < head + 4 + length) return;
        pending = pending.subarray(head + 4 + length);
        answer(socket, requests++);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?x=1`), seen };
}

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

type Outcome = Omit<DeliveryResult, 'ms' | 'body'> & { body: string | null };

/** Delivers `requests` one after another through the transport a run of `deliveries` gets. */
async function deliverAll(
  url: URL,
  requests: OutgoingRequest[],
  deliveries: number | undefined,
  options: { readBody?: number; timeoutMs?: number } = {},
): Promise<Outcome[]> {
  const deliverer = createDeliverer(url, {
    connections: 1,
    timeoutMs: options.timeoutMs ?? 2000,
    retries: 0,
    deliveries,
  });
  const out: Outcome[] = [];
  try {
    for (const request of requests) {
      const { ms, body, ...rest } = await deliverer.deliver(request, options.readBody ?? 4096);
      expect(ms).toBeGreaterThanOrEqual(0);
      out.push({ ...rest, body: body === null ? null : body.toString('latin1') });
    }
  } finally {
    await deliverer.close();
  }
  return out;
}

/** Both transports against a fresh server each; returns undici's outcome once node:http's is shown to equal it. */
async function compare(
  answer: (socket: Socket, index: number) => void,
  options: { readBody?: number; timeoutMs?: number; requests?: (url: URL) => OutgoingRequest[] } = {},
): Promise<Outcome[]> {
  const make = options.requests ?? ((url: URL) => [buildRequest(url, Buffer.from('{"id":"a"}'), SECRET)]);
  const viaNode = await rawServer(answer);
  const nodeOutcome = await deliverAll(viaNode.url, make(viaNode.url), 1, options);
  const viaUndici = await rawServer(answer);
  const undiciOutcome = await deliverAll(viaUndici.url, make(viaUndici.url), undefined, options);
  // undici may open a connection it never writes to after an abort: only what was sent counts.
  const bytes = (seen: Seen, url: URL) =>
    seen.connections.filter((b) => b.length > 0).map((b) => b.toString('latin1').replaceAll(url.host, 'HOST'));
  expect(bytes(viaNode.seen, viaNode.url)).toEqual(bytes(viaUndici.seen, viaUndici.url));
  const words = (outcomes: Outcome[], url: URL) => JSON.stringify(outcomes).replaceAll(url.host, 'HOST');
  expect(words(nodeOutcome, viaNode.url)).toBe(words(undiciOutcome, viaUndici.url));
  return undiciOutcome;
}

const errorOf = (outcomes: Outcome[]) => outcomes.map((o) => o.error && `${o.error.code}: ${o.error.message}`);

describe('node:http and undici deliver alike', () => {
  it('the same request bytes, and the same answer, on one kept connection for two deliveries', async () => {
    const [first, second] = await compare((socket) => socket.write(OK), {
      requests: (url) => [
        buildRequest(url, Buffer.from('{"n":1}'), SECRET, [{ name: 'x-extra', value: 'caf\u00e9 \t x' }]),
        replayRequest(
          url,
          [
            ['X-Mixed-Case', 'kept'],
            ['x-dup', '1'],
            ['x-dup', '2'],
          ],
          Buffer.alloc(0),
        ),
      ],
    });
    expect(first).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': '17' },
      body: '{"received":true}',
      error: null,
      attempts: 1,
    });
    expect(second!.status).toBe(200);
  });

  it('repeated, odd and Latin-1 response headers', async () => {
    const head =
      'HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Dup: 1\r\nx-dup: 2\r\nx-dup: 3\r\n' +
      'X-Latin: caf\u00e9\r\nConstructor: c\r\n__proto__: p\r\ncontent-length: 0\r\n\r\n';
    const [outcome] = await compare((socket) => socket.write(Buffer.from(head, 'latin1')));
    expect(outcome!.headers['x-dup']).toEqual(['1', '2', '3']);
  });

  it.each([
    ['a body up to the connection closing', (s: Socket) => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nhello')],
    [
      'a chunked body in pieces',
      (s: Socket) => {
        for (const piece of [
          'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n',
          '3\r\nabc\r\n',
          '2\r\nde\r\n',
          '0\r\n\r\n',
        ])
          s.write(piece);
      },
    ],
    ['a 500', (s: Socket) => s.write('HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\n\r\noops')],
    [
      'a redirect, not followed',
      (s: Socket) => s.write('HTTP/1.1 301 Moved\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n'),
    ],
    ['a 204', (s: Socket) => s.write('HTTP/1.1 204 No Content\r\n\r\n')],
    ['103 Early Hints, then 200', (s: Socket) => s.write(`HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n${OK}`)],
    ['HTTP/1.0', (s: Socket) => s.write('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok')],
    [
      'a whole answer, then a reset',
      (s: Socket) =>
        s.write('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok', () => s.resetAndDestroy()),
    ],
  ])('%s', async (_name, answer) => {
    const [outcome] = await compare(answer);
    expect(outcome!.error).toBeNull();
  });

  it('a long body: only the bytes asked for are kept', async () => {
    const body = 'x'.repeat(100_000);
    const [outcome] = await compare((s) => s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`));
    expect(outcome!.body).toHaveLength(4096);
  });

  it.each([
    ['closed before answering', (s: Socket) => s.end(), 'UND_ERR_SOCKET'],
    ['reset before answering', (s: Socket) => s.resetAndDestroy(), 'ECONNRESET'],
    ['not HTTP', (s: Socket) => s.end('NOT HTTP AT ALL\r\n\r\n'), 'HPE_INVALID'],
    ['headers cut short', (s: Socket) => s.end('HTTP/1.1 200 OK\r\ncontent-le'), 'UND_ERR_SOCKET'],
    ['a bad content-length', (s: Socket) => s.write('HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\n'), 'HPE_INVALID'],
    ['a body cut short', (s: Socket) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort'), 'UND_ERR_SOCKET'],
    [
      'a body cut short, connection: close',
      (s: Socket) => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 100\r\n\r\nshort'),
      'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    ],
    [
      'a chunked body cut short, connection: close',
      (s: Socket) => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab'),
      'HPE_INVALID',
    ],
    [
      'a chunked body cut short',
      (s: Socket) => s.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab'),
      'UND_ERR_SOCKET',
    ],
    [
      'a body cut short by a reset',
      (s: Socket) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort', () => s.resetAndDestroy()),
      'UND_ERR_SOCKET',
    ],
    [
      'a body cut short by a reset, connection: close',
      (s: Socket) =>
        s.write('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 9\r\n\r\nshort', () => s.resetAndDestroy()),
      'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    ],
    [
      '100 Continue (undici never asks for one)',
      (s: Socket) => s.write(`HTTP/1.1 100 Continue\r\n\r\n${OK}`),
      'UND_ERR_SOCKET',
    ],
    [
      '101 Switching Protocols, unasked',
      (s: Socket) => s.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n'),
      'UND_ERR_SOCKET',
    ],
    ['no answer at all', () => undefined, 'UND_ERR_HEADERS_TIMEOUT'],
    [
      'headers, then nothing',
      (s: Socket) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n'),
      'UND_ERR_BODY_TIMEOUT',
    ],
  ])('%s', async (_name, answer, code) => {
    const outcomes = await compare(answer, { timeoutMs: 300 });
    expect(outcomes[0]!.error?.code).toBe(code);
    expect(outcomes[0]!.status).toBeNull();
  });

  it.each(['127.0.0.1', 'localhost'])('nothing listening at %s', async (host) => {
    const { url } = await rawServer(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    url.hostname = host;
    const request = buildRequest(url, Buffer.from('{}'), SECRET);
    const [viaNode, viaUndici] = [await deliverAll(url, [request], 1), await deliverAll(url, [request], undefined)];
    expect(errorOf(viaNode)).toEqual(errorOf(viaUndici));
    expect(viaNode[0]!.error).toMatchObject({ code: 'ECONNREFUSED', fatal: true });
  });

  it('a captured header undici refuses is refused in its words', async () => {
    for (const headers of [[['bad name', 'x']], [['x-snowman', '\u2603']]] as Array<Array<[string, string]>>) {
      const outcomes = await compare(() => undefined, {
        requests: (url) => [replayRequest(url, headers, Buffer.from('{}'))],
      });
      expect(outcomes[0]!.error?.code).toBe('UND_ERR_INVALID_ARG');
    }
  });
});

describe('destroy (Ctrl-C)', () => {
  it.each([
    ['node:http', 1],
    ['undici', undefined],
  ])('%s: ends a delivery in flight at once instead of waiting for its deadline', async (_name, deliveries) => {
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const { url } = await rawServer(() => arrived());
    const deliverer = createDeliverer(url, { connections: 1, timeoutMs: 20_000, retries: 0, deliveries });
    const pending = deliverer.deliver(buildRequest(url, Buffer.from('{}'), SECRET));
    await reached;
    await deliverer.destroy();
    const result = await pending;
    expect(result.status).toBeNull();
    expect(result.ms).toBeLessThan(10_000);
  });

  it('send --count 1000 (node:http) sums up and exits 130 on SIGINT, as a long run does', async () => {
    let answered = 0;
    let reached: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (reached = resolve));
    const s = await startServer((_request, response) => {
      if (++answered <= 20) response.end('ok'); // then nothing more is answered: the rest stays in flight
      if (answered === 20) reached();
    });
    try {
      const run = startCli(['send', 'message.created', '--count', '1000', '-c', '2', '--to', s.url], {
        env: { OBLIC_WEBHOOK_SECRET: SECRET },
      });
      await enough;
      run.signal('SIGINT');
      const result = await run.exited;
      expect(result.code).toBe(130);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-2)).toMatch(/^20 sent · 20 2xx · 0 other · 0 errors · /);
      expect(lines.at(-1)).toBe('oblic-hooks: interrupted after 20 of 1,000 deliveries');
    } finally {
      await s.close();
    }
  });
});

describe('chooseTransport', () => {
  it('gives node:http to a short run to an http: target, undici to the rest', () => {
    const local = new URL('http://127.0.0.1:4242/');
    expect(chooseTransport(local, 1)).toBe('node:http');
    expect(chooseTransport(local, NODE_HTTP_RUN)).toBe('node:http');
    expect(chooseTransport(local, NODE_HTTP_RUN + 1)).toBe('undici');
    expect(chooseTransport(local, undefined)).toBe('undici'); // a count nobody said
    expect(chooseTransport(new URL('https://example.test/'), 1)).toBe('undici'); // TLS stays undici's
  });
});
