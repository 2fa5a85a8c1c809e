// `oblic-hooks check` (issue 15) against real endpoints on 127.0.0.1: the right one passes every
// probe, and each broken one fails exactly the probes it should, no others.
import { describe, expect, it } from 'vitest';
import { PROBES } from '../src/check/probes.js';
import { runCli } from './helpers/cli.js';
import { BROKEN_ENDPOINTS, RIGHT_ENDPOINT } from './helpers/endpoints.js';

const brokenBy = (bug: string) => BROKEN_ENDPOINTS.find((endpoint) => endpoint.bug.startsWith(bug))!;
import { serveEach, signatureOf, type TestServer } from './helpers/server.js';

const SECRET = 'check-test-secret-0001';

interface Line {
  kind: 'probe' | 'summary';
  id: string;
  verdict: string;
  detail: string;
  fix: string | null;
  requests: Array<{
    probe: string;
    label: string;
    status: number | null;
    expected: boolean;
    error: { code: string; message: string } | null;
  }>;
  [key: string]: unknown;
}

const serve = serveEach();

/** Runs check in this process with --json and returns its exit code, probe lines and summary. */
async function check(server: TestServer, ...flags: string[]) {
  const result = await runCli(['check', `${server.port}/webhooks`, '--secret', SECRET, '--json', ...flags]);
  const lines = result.stdout
    .split('\n')
    .filter((line) => line !== '') // a run that could not be made prints nothing
    .map((line) => JSON.parse(line) as Line);
  const probes = lines.filter((line) => line.kind === 'probe');
  const verdicts = (verdict: string) => probes.filter((line) => line.verdict === verdict).map((line) => line.id);
  return { ...result, probes, summary: lines.at(-1)!, fails: verdicts('fail'), warns: verdicts('warn') };
}

describe('check against a correct endpoint', () => {
  it('passes every probe, in the fixed order, and exits 0', async () => {
    const run = await check(await serve(RIGHT_ENDPOINT.reply(SECRET)));
    expect(run.code).toBe(0);
    expect(run.probes.map((line) => [line.id, line.verdict])).toEqual(PROBES.map((probe) => [probe.id, 'pass']));
    expect(run.summary).toMatchObject({ kind: 'summary', probes: 13, passed: 13, failed: 0, warned: 0, ok: true });
    expect(run.stderr).toMatch(/^signing with --secret/m);
  });

  it('sends every delivery outside handles-duplicates with a fresh event id', async () => {
    const server = await serve(RIGHT_ENDPOINT.reply(SECRET));
    await check(server);
    const ids = server.received.map((request) => /"id":\s*"([A-Za-z0-9]{16})"/.exec(request.body.toString())?.[1]);
    const counts = new Map<string | undefined, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    counts.delete(undefined); // the body that is JSON but not an event has no id
    // handles-duplicates sends one delivery twice in a row and another twice at once.
    expect([...counts.values()].filter((n) => n > 1)).toEqual([2, 2]);
    expect(counts.size).toBe(server.received.length - 1 - 2);
  });
});

describe('check against broken endpoints: each fails exactly its probes', () => {
  it.each(BROKEN_ENDPOINTS.map((endpoint) => [endpoint.bug, endpoint] as const))(
    'an endpoint that %s',
    async (_bug, endpoint) => {
      const run = await check(await serve(endpoint.reply(SECRET)), ...(endpoint.flags ?? []));
      expect(run.fails).toEqual(endpoint.fails);
      expect(run.warns).toEqual(endpoint.warns ?? []);
      expect(run.code).toBe(endpoint.fails.length > 0 ? 1 : 0);
      for (const line of run.probes.filter((probe) => probe.verdict !== 'pass')) expect(line.fix).toMatch(/\w/);
      if (endpoint.fails.length > 0)
        expect(run.stderr).toContain(`oblic-hooks: ${endpoint.fails.length} of 13 probes failed`);
    },
  );

  it('--strict fails a run that only warned', async () => {
    const refuses = BROKEN_ENDPOINTS.find((endpoint) => endpoint.warns)!;
    const run = await check(await serve(refuses.reply(SECRET)), '--strict');
    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ ok: false, failing: ['tolerates-unknown-type'], strict: true });
    expect(run.stderr).toContain('--strict counts a warning as a failure');
  });

  it('an endpoint that refuses everything (a wrong path) is not credited with refusing forgeries: nothing else runs', async () => {
    const server = await serve((_request, response) => response.writeHead(404).end('no route'));
    const run = await check(server);
    expect(run.code).toBe(1);
    expect(run.probes.map((line) => [line.id, line.verdict])).toEqual([['accepts-every-type', 'fail']]);
    expect(run.probes[0]!.fix).toBe(
      'nothing takes a POST at /webhooks (404): check the path of the URL, or that the handler sets a status (Koa answers 404 to one that sets none)',
    );
    expect(run.summary).toMatchObject({ ok: false, probes: 1, failed: 1, notRun: PROBES.slice(1).map((p) => p.id) });
    expect(server.received).toHaveLength(15);
    expect(run.stderr).toContain(
      'oblic-hooks: no validly signed delivery got a 2xx, so the other 12 probes were not run (see accepts-every-type)',
    );
  });

  it('without accepts-every-type, one control delivery goes first, and its refusal is the one line', async () => {
    const server = await serve(RIGHT_ENDPOINT.reply('the-app-has-another-secret'));
    const run = await check(server, '--only', 'signatures');
    expect(run.code).toBe(1);
    expect(run.probes).toEqual([]);
    expect(run.summary).toMatchObject({
      ok: false,
      failing: [],
      notRun: [
        'accepts-exact-bytes',
        'rejects-missing-signature',
        'rejects-wrong-secret',
        'rejects-tampered-body',
        'rejects-malformed-signature',
      ],
    });
    expect(run.summary.stopped).toMatch(/^the control delivery \(a validly signed message\.created\) answered 401/);
    expect(server.received).toHaveLength(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      'oblic-hooks: the control delivery (a validly signed message.created) answered 401, so no probe was run: every validly signed event was refused (401): the endpoint verifies with another secret than --secret (…0001) (use the secret as given: no prefix stripped, nothing base64-decoded), or verifies something other than the raw body',
    );
  });

  it('a handler that fails some types: the other probes that sent those types point at accepts-every-type', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    const server = await serve((request, response, index) => {
      // Handles message.* only, and throws on the rest, once the signature is checked.
      const type = /"type":"([a-z.]+)"/.exec(request.body.toString())?.[1] ?? '';
      if (
        /^(contact|conversation|group|attachment)\./.test(type) &&
        request.headers['x-oblic-signature'] === signatureOf(SECRET, request.body)
      )
        return response.writeHead(500).end('TypeError: cannot read properties of undefined');
      right(request, response, index);
    });
    const run = await check(server);
    expect(run.fails).toEqual([
      'accepts-every-type',
      'tolerates-unknown-fields',
      'handles-duplicates',
      'handles-burst',
    ]);
    expect(run.probes[0]!.fix).toMatch(/^the endpoint fails contact\.created, contact\.updated, .*: see its log/);
    for (const id of ['tolerates-unknown-fields', 'handles-duplicates', 'handles-burst'])
      expect(run.probes.find((line) => line.id === id)!.fix).toMatch(
        /^these are event types accepts-every-type found failing \(contact\.\w+: 500/,
      );
  });

  it('an endpoint with another secret refuses every event, and the fix says so', async () => {
    const run = await check(
      await serve(RIGHT_ENDPOINT.reply('the-app-has-another-secret')),
      '--only',
      'accepts-every-type',
    );
    expect(run.fails).toEqual(['accepts-every-type']);
    expect(run.probes[0]!.fix).toContain('verifies with another secret than --secret');
  });

  it('one 500 answer to every type, word for word: the fix quotes what the answer says', async () => {
    const misconfigured = await serve((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'req.body is already parsed: take express.json() off the route' }));
    });
    const run = await check(misconfigured, '--only', 'accepts-every-type');
    expect(run.fails).toEqual(['accepts-every-type']);
    expect(run.probes[0]!.fix).toBe(
      'every event got the same 500 answer, whatever its type, so the endpoint fails before it looks at the event (a body parser that ran first, a setting): its answer says req.body is already parsed: take express.json() off the route',
    );
  });

  it('a timeout fails its probe and answers-in-time, and names --timeout', async () => {
    // The endpoint never answers the large event: the sender gives up after --timeout.
    const right = RIGHT_ENDPOINT.reply(SECRET);
    const server = await serve((request, response, index) => {
      if (request.body.length < 100_000) right(request, response, index);
    });
    const run = await check(
      server,
      '--timeout',
      '300ms', // below the default --deadline of 5 s: a timeout is slower than any deadline all the same
      '--only',
      // Another probe answers first: an app that answers nothing at all is one line (check.cli.test.ts).
      'rejects-wrong-secret,large-event,answers-in-time',
    );
    expect(run.fails).toEqual(['large-event', 'answers-in-time']);
    expect(run.probes[1]!.fix).toContain('no answer within 300 ms (--timeout)');
    expect(run.probes[1]!.requests[0]!.error?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('a redirect is not followed: the fix says to point check at the final URL', async () => {
    const run = await check(
      await serve((_request, response) => response.writeHead(308, { location: '/webhooks/' }).end()),
      '--only',
      'accepts-every-type',
    );
    expect(run.probes[0]!.fix).toContain('redirects (to /webhooks/)');
  });

  it('an endpoint that crashes part way: one line names the delivery it went down on; no probe is blamed for it', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    let server: TestServer | undefined;
    server = await serve((request, response, index) => {
      // Answers the first probe, then goes down on the first of handles-duplicates, whose next
      // round finds it gone.
      if (index < 15) return right(request, response, index);
      response.socket?.destroy();
      void server?.close();
    });
    const run = await check(server, '--only', 'accepts-every-type,handles-duplicates');
    expect(run.code).toBe(1);
    expect(run.fails).toEqual([]);
    expect(run.summary).toMatchObject({ ok: false, notRun: ['handles-duplicates'] });
    expect(run.summary.stopped).toMatch(
      /^the app stopped listening part way \(ECONNREFUSED\), just after handles-duplicates's "first" message\.created [A-Za-z0-9]{16} got its connection closed without an answer: did it crash\? see its log; the probes in flight and after it were not graded$/,
    );
  });

  it('a rate limit is not a refusal: forgeries answered 429 fail, and the fix names the limit', async () => {
    const server = await serve((_request, response, index) =>
      // No verification at all, behind a limiter that lets the first 15 requests through.
      index < 15 ? response.writeHead(204).end() : response.writeHead(429, { 'retry-after': '1' }).end(),
    );
    const run = await check(server, '--only', 'accepts-every-type,rejects-missing-signature,rejects-wrong-secret');
    expect(run.fails).toEqual(['rejects-missing-signature', 'rejects-wrong-secret']);
    expect(run.probes[1]!.fix).toBe(
      'the endpoint rate-limits (429, retry-after 1): a sender tries again later, and Oblic sends bursts; exempt the webhook route from the limit or raise it',
    );
  });

  it('an app slow under the burst is slow, not stuck: the burst and answers-in-time fail, the rest is run', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    let open = 0;
    const server = await serve((request, response, index) => {
      // Each request takes 15 ms for every one in flight: 12 at once take 180 ms, the burst 750 ms.
      open += 1;
      response.on('close', () => {
        open -= 1;
      });
      setTimeout(() => right(request, response, index), 15 * open);
    });
    const run = await check(server, '--timeout', '600ms');
    expect(run.summary.stopped).toBeNull();
    expect(run.fails).toEqual(['handles-burst', 'answers-in-time']);
  });
});

describe('check and an app that crashes', () => {
  it('on the very first delivery: it closed the connection and stopped listening, not "nothing is listening"', async () => {
    let server: TestServer | undefined;
    server = await serve((_request, response) => {
      response.socket?.destroy();
      void server?.close();
    });
    const run = await check(server);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `oblic-hooks: http://localhost:${server.port}/webhooks closed the first connections without an answer, then stopped listening: did the app crash? see its log`,
    );
  });
});

describe('check and an app that stops answering', () => {
  it('after eight timeouts in a row the rest is not run: the probe it happened in is graded, one line says why', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    const server = await serve((request, response, index) => {
      if (index === 0) right(request, response, index); // the first answer, then never again
    });
    const run = await check(server, '--timeout', '200ms');
    expect(run.code).toBe(1);
    expect(run.fails).toEqual(['accepts-every-type']);
    expect(run.summary).toMatchObject({ ok: false, notRun: PROBES.slice(1).map((probe) => probe.id) });
    expect(server.received.length).toBeLessThanOrEqual(15);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      'oblic-hooks: the endpoint stopped answering: 8 deliveries in a row got no answer within 200 ms (--timeout), so the probes after them were not run; is the app stuck? see its log',
    );
  });
});

describe('check points at the cause, not at the probe', () => {
  const typeOf = (body: Buffer) => /"type":"([a-z.]+)"/.exec(body.toString())?.[1] ?? '';

  it('a burst whose only failures are one type says that type fails, not the load', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    const server = await serve((request, response, index) => {
      if (typeOf(request.body) === 'group.created') return response.writeHead(500).end();
      right(request, response, index);
    });
    const run = await check(server, '--only', 'handles-burst');
    expect(run.probes[0]!.fix).toBe(
      'every failure here is group.created (3 of 50), and the other types got a 2xx: the endpoint fails group.created; see its log',
    );
  });

  it('a rejection probe is not pointed at accepts-every-type: forgeries that got in are the bug', async () => {
    const naive = brokenBy("decodes the header with Buffer.from(value, 'hex')").reply(SECRET);
    const server = await serve((request, response, index) => {
      // Takes what Buffer.from lets through, then crashes in its message.created handler.
      if (typeOf(request.body) !== 'message.created') return naive(request, response, index);
      const given = String(request.headers['x-oblic-signature'] ?? '');
      const mac = signatureOf(SECRET, request.body);
      if (Buffer.from(given, 'hex').equals(Buffer.from(mac, 'hex'))) return response.writeHead(500).end();
      response.writeHead(401).end();
    });
    const run = await check(server, '--only', 'accepts-every-type,rejects-malformed-signature');
    expect(run.fails).toEqual(['accepts-every-type', 'rejects-malformed-signature']);
    expect(run.probes[1]!.fix).toMatch(/^a forged or mangled delivery crashed the handler \(5xx\)/);
  });

  it('a body that is not an event gets 2xx once and 5xx once: both fixes', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    const server = await serve((request, response, index) => {
      if (request.body.toString().startsWith('{"greeting"')) return response.writeHead(204).end();
      if (!request.body.toString().endsWith('}')) return response.writeHead(500).end('SyntaxError');
      right(request, response, index);
    });
    const run = await check(server, '--only', 'rejects-invalid-json');
    expect(run.probes[0]!.fix).toMatch(
      /^the endpoint answers 2xx to a signed body that is not an Oblic event.*; and a body that is not an event crashed the handler \(5xx\)/,
    );
  });

  it('every event refused with one 4xx (a required header): the fix says what Oblic sends', async () => {
    const server = await serve((request, response) =>
      request.headers['user-agent'] ? response.writeHead(204).end() : response.writeHead(400).end('no UA'),
    );
    const run = await check(server, '--only', 'accepts-every-type');
    expect(run.probes[0]!.fix).toBe(
      'every validly signed event was refused with 400: the endpoint refuses what Oblic sends, which carries only content-type and x-oblic-signature (does it require another header, a user-agent, a token?)',
    );
  });

  it('a 401 to the large event alone is a signature that did not verify on a large body', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    const server = await serve((request, response, index) =>
      request.body.length > 100_000 ? response.writeHead(401).end() : right(request, response, index),
    );
    const run = await check(server, '--only', 'large-event');
    expect(run.probes[0]!.fix).toMatch(/^the signature of the large event did not verify/);
  });

  it('a server that cuts slow requests short fails answers-in-time, and says the connection was closed after a wait', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    const server = await serve((request, response, index) => {
      // As Node's server.timeout or a proxy does to a handler that takes too long.
      if (typeOf(request.body) === 'group.created') setTimeout(() => response.socket?.destroy(), 1100);
      else right(request, response, index);
    });
    const run = await check(server, '--only', 'accepts-every-type,answers-in-time');
    expect(run.fails).toEqual(['accepts-every-type', 'answers-in-time']);
    expect(run.probes[0]!.fix).toMatch(
      /^the app closed the connection after 1\d{3} ms without answering: a server or proxy timeout/,
    );
    expect(run.probes[1]!.detail).toMatch(/\(1 got no answer\)/);
  });

  it('an app that dies part way: one line naming the deliveries in flight when it died; the rest is not run', async () => {
    const right = RIGHT_ENDPOINT.reply(SECRET);
    let server: TestServer | undefined;
    server = await serve((request, response, index) => {
      if (!request.body.includes('\\u00a1Hola')) return right(request, response, index);
      response.socket?.destroy(); // dies on the \u escapes of accepts-exact-bytes
      void server?.close();
    });
    const run = await check(server, '--only', 'accepts-every-type,accepts-exact-bytes,handles-burst');
    expect(run.code).toBe(1);
    // The probe in flight is not graded: which of its deliveries killed the app cannot be told.
    expect(run.summary.notRun).toEqual(['accepts-exact-bytes', 'handles-burst']);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^oblic-hooks: the app stopped listening part way \(ECONNREFUSED\), just after .*accepts-exact-bytes's "non-ASCII text as \\u escapes" message\.created [A-Za-z0-9]{16}.* closed without an answer: did it crash\? see its log; the probes in flight and after it were not graded$/,
    );
  });
});

describe('check --seed', () => {
  const bodies = (server: TestServer) =>
    server.received
      .map((request) => `${request.headers['x-oblic-signature']} ${request.body.toString('base64')}`)
      .sort();

  it('makes every body the same, byte for byte, and a probe alone sends what it sends in the whole run', async () => {
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => serve(RIGHT_ENDPOINT.reply(SECRET))));
    await check(a!, '--seed', '42');
    await check(b!, '--seed', '42');
    await check(c!, '--seed', '43');
    await check(d!, '--seed', '42', '--only', 'rejects-tampered-body');
    expect(bodies(a!)).toEqual(bodies(b!));
    // Only the one body that is not made from the seed is the same under another seed.
    const shared = bodies(c!).filter((body) => bodies(a!).includes(body));
    expect(shared.map((body) => Buffer.from(body.split(' ')[1]!, 'base64').toString())).toEqual([
      '{"greeting":"hello, world"}',
    ]);
    // Alone, the probe goes after a control delivery (nothing else shows a valid delivery gets through).
    expect(bodies(d!).filter((body) => !bodies(a!).includes(body))).toHaveLength(1);
    expect(bodies(d!)).toHaveLength(2);
    const run = await check(a!, '--seed', '42', '--only', 'deliveries');
    expect(run.summary).toMatchObject({ seed: 42, probes: 4 });
  });
});
