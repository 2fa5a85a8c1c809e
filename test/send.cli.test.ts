import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './helpers/cli.js';
import { runInShell } from './helpers/curl.js';
import { signatureOf, startServer, type TestServer } from './helpers/server.js';

const SECRET = 'test-secret-5f1c2a9e';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const ALL_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'conversation.created',
  'conversation.updated',
  'conversation.deleted',
  'message.created',
  'message.updated',
  'message.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'attachment.created',
  'attachment.updated',
  'attachment.deleted',
];

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

describe('send: deliveries', () => {
  it('delivers all fifteen types, each signed over the exact bytes received, and exits 0', async () => {
    const s = await server();
    const result = await runCli(['send', 'all', '--to', `${s.url}/webhooks?src=test`], { env });
    expect(result.stderr).toContain('signing with $OBLIC_WEBHOOK_SECRET');
    expect(result.code).toBe(0);
    expect(s.received.map((r) => JSON.parse(r.body.toString()).type)).toEqual(ALL_TYPES);
    for (const request of s.received) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/webhooks?src=test');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-oblic-signature']).toBe(signatureOf(SECRET, request.body));
      // No other x-oblic-* header: apps must not come to depend on one Oblic does not send.
      expect(Object.keys(request.headers).filter((name) => name.startsWith('x-oblic-'))).toEqual(['x-oblic-signature']);
    }
    expect(result.stdout.split('\n').filter((line) => line.startsWith('200 OK'))).toHaveLength(15);
    expect(result.stdout).toContain('{"received":true}');
  });

  it('never prints the secret', async () => {
    const s = await server();
    const result = await runCli(['send', 'message.created', '--to', s.url, '--json', '-i'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stderr).toContain('…2a9e');
  });

  it('prints one JSON object per delivery and nothing else on stdout with --json', async () => {
    const s = await server();
    const result = await runCli(['send', 'message.*', '--count', '3', '--concurrency', '4', '--to', s.url, '--json'], {
      env,
    });
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(9);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['type', 'id', 'url', 'status', 'ms', 'ok', 'signature', 'attempts', 'error']);
      expect(line).toMatchObject({ url: `${s.url}/`, status: 200, ok: true, error: null });
      const request = s.received.find((r) => JSON.parse(r.body.toString()).id === line.id)!;
      expect(line.signature).toBe(signatureOf(SECRET, request.body));
    }
    expect(result.stderr).toMatch(/9 sent · 9 2xx · 0 other · 0 errors/);
  });

  it('with --count and --concurrency sends fresh events, lists only failures and sums up with percentiles', async () => {
    const s = await server((_request, response, index) => {
      response.writeHead(index % 10 === 0 ? 500 : 204).end();
    });
    const result = await runCli(['send', 'contact.created', '--count', '50', '-c', '8', '--to', s.url], { env });
    expect(result.code).toBe(1);
    expect(s.received).toHaveLength(50);
    expect(new Set(s.received.map((r) => JSON.parse(r.body.toString()).id)).size).toBe(50);
    for (const r of s.received) expect(r.headers['x-oblic-signature']).toBe(signatureOf(SECRET, r.body));
    expect(result.stdout.trim().split('\n')).toHaveLength(5);
    expect(result.stdout).toMatch(/^500 Internal Server Error/m);
    expect(result.stderr).toMatch(
      /50 sent · 45 2xx · 5 other \(500 ×5\) · 0 errors · [\d,]+\/s · p50 .* · p95 .* · p99 /,
    );
    expect(result.stderr).toContain('oblic-hooks: 5 of 50 deliveries got no 2xx response');
  });

  it('exits 1 on a non-2xx answer and shows the status, the response body and, with -i, its headers', async () => {
    const s = await server((_request, response) => {
      response.writeHead(401, { 'x-app': 'demo' }).end('bad signature\nsecond line');
    });
    const result = await runCli(['send', 'group.created', '--to', s.url, '-i'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^401 Unauthorized {2}group\.created/);
    expect(result.stdout).toContain('x-app: demo');
    expect(result.stdout).toContain('  bad signature\n  second line');
    expect(result.stderr.trim().split('\n').at(-1)).toBe('oblic-hooks: the delivery got no 2xx response');
  });

  it('previews a long UTF-8 response as text even when the 4 KiB preview ends inside a character', async () => {
    const s = await server((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`${'a'.repeat(4095)}€ and more`),
    );
    const result = await runCli(['send', 'message.created', '--to', s.url], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  aaaa');
    expect(result.stdout).not.toContain('not text');
  });

  it('does not follow redirects', async () => {
    const s = await server((_request, response) => response.writeHead(302, { location: '/elsewhere' }).end());
    const result = await runCli(['send', 'message.created', '--to', s.url], { env });
    expect(result.code).toBe(1);
    expect(s.received).toHaveLength(1);
    expect(result.stdout).toMatch(/^302 Found/);
  });

  it('retries 5xx with backoff when asked and says how many attempts it took', async () => {
    const s = await server((_request, response, index) => response.writeHead(index < 2 ? 503 : 200).end());
    const result = await runCli(['send', 'message.created', '--retries', '3', '--to', s.url, '--json'], { env });
    expect(result.code).toBe(0);
    expect(s.received).toHaveLength(3);
    expect(s.received[0]!.body.equals(s.received[2]!.body)).toBe(true);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 200, attempts: 3 });
  });

  it('gives up after --timeout with one line and exit 1', async () => {
    const s = await server(() => undefined); // never answers
    const result = await runCli(['send', 'message.created', '--timeout', '300ms', '--to', s.url], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ERR/);
    expect(result.stdout).toContain('no complete response from');
    expect(result.stdout).toContain('within 300 ms');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('send: many events', () => {
  it('each index is one fresh event whatever the concurrency: same bodies at 1 and 8 in flight, none repeated', async () => {
    const one = await server();
    const eight = await server();
    // 150 bodies cross the 64-body batches that sends build at a time.
    const a = await runCli(['send', 'message.*', '--count', '50', '--seed', '3', '--to', one.url], { env });
    const b = await runCli(['send', 'message.*', '--count', '50', '--seed', '3', '-c', '8', '--to', eight.url], {
      env,
    });
    expect([a.code, b.code]).toEqual([0, 0]);
    const events = one.received.map((r) => JSON.parse(r.body.toString()) as { id: string; type: string });
    expect(events).toHaveLength(150);
    expect(events.map((e) => e.type)).toEqual(
      Array.from({ length: 150 }, (_, i) => ['message.created', 'message.updated', 'message.deleted'][i % 3]),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(150);
    const sorted = (s: TestServer) => s.received.map((r) => r.body.toString()).sort();
    expect(sorted(eight)).toEqual(sorted(one));
    for (const request of eight.received)
      expect(request.headers['x-oblic-signature']).toBe(signatureOf(SECRET, request.body));
  });
});

describe('send: nothing listening', () => {
  it('says so in one line, exits 1 and comes back in well under a second', async () => {
    const s = await server();
    const url = s.url;
    await s.close();
    servers = [];
    const result = await spawnCli(['send', 'all', '--count', '100', '--to', url], { env });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(
      `oblic-hooks: nothing is listening at ${url}/; start \`oblic-hooks listen\` or your app, or point --to at it`,
    );
    expect(lines).toHaveLength(2); // the secret line, then the error
    expect(result.stdout).toBe('');
    // The whole process, Node start-up included; the refusal itself takes milliseconds.
    expect(result.ms).toBeLessThan(1500);
  });
});

describe('send: customising the request', () => {
  it('--set changes the event before it is signed; JSON values keep their type', async () => {
    const s = await server();
    const result = await runCli(
      [
        'send',
        'message.created',
        '--to',
        s.url,
        '--set',
        'payload.message=¡Hola! 👋 "quoted"',
        '--set',
        'payload.read_at=705103200',
        '--set',
        'id="0000000000000000"',
      ],
      { env },
    );
    expect(result.code).toBe(0);
    const event = JSON.parse(s.received[0]!.body.toString());
    expect(event.payload.message).toBe('¡Hola! 👋 "quoted"');
    expect(event.payload.read_at).toBe(705103200);
    expect(event.id).toBe('0000000000000000');
    expect(s.received[0]!.headers['x-oblic-signature']).toBe(signatureOf(SECRET, s.received[0]!.body));
  });

  it('--data sends the exact bytes, even when they are not UTF-8, and signs them as they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-data-'));
    const bytes = Buffer.concat([
      Buffer.from('{"id":"a056V7R7NmNRjl70","type":"message.updated"}  \r\n'),
      Buffer.from([0xff, 0x00, 0xfe]),
    ]);
    writeFileSync(join(dir, 'body.bin'), bytes);
    const s = await server();
    const result = await runCli(['send', '--data', join(dir, 'body.bin'), '--to', s.url, '--json'], { env });
    expect(result.code).toBe(0);
    expect(s.received[0]!.body.equals(bytes)).toBe(true);
    expect(s.received[0]!.headers['x-oblic-signature']).toBe(signatureOf(SECRET, bytes));
    const fromStdin = await runCli(['send', '--data', '-', '--to', s.url, '--json'], { env, input: bytes });
    expect(fromStdin.code).toBe(0);
    expect(s.received[1]!.body.equals(bytes)).toBe(true);
  });

  it('-H adds and replaces headers, and an empty value removes one', async () => {
    const s = await server();
    await runCli(
      ['send', 'contact.updated', '--to', s.url, '-H', 'X-Trace: abc', '-H', 'x-oblic-signature: deadbeef'],
      { env },
    );
    await runCli(['send', 'contact.updated', '--to', s.url, '-H', 'x-oblic-signature:'], { env });
    expect(s.received[0]!.headers['x-trace']).toBe('abc');
    expect(s.received[0]!.headers['x-oblic-signature']).toBe('deadbeef');
    expect(s.received[1]!.headers['x-oblic-signature']).toBeUndefined();
  });

  it('--seed reproduces the same bytes and signature on every run', async () => {
    const s = await server();
    await runCli(['send', 'group.updated', '--seed', '42', '--to', s.url], { env });
    await runCli(['send', 'group.updated', '--seed', '42', '--to', s.url], { env });
    expect(s.received[0]!.body.equals(s.received[1]!.body)).toBe(true);
  });
});

/** A raw TCP server that keeps the request bytes exactly as they came off the wire. */
async function rawServer(): Promise<{ url: string; bytes: () => Buffer; server: NetServer }> {
  const chunks: Buffer[] = [];
  const server = createNetServer((socket) => {
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? -1);
      if (head >= 0 && Buffer.concat(chunks).length >= head + 4 + length)
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, bytes: () => Buffer.concat(chunks), server };
}

describe('send: --dry-run and --print-curl', () => {
  it('--dry-run prints exactly the bytes that a real send puts on the wire', async () => {
    const raw = await rawServer();
    try {
      const dry = await runCli(['send', 'message.updated', '--seed', '9', '--to', raw.url, '--dry-run'], { env });
      expect(dry.code).toBe(0);
      const sent = await runCli(['send', 'message.updated', '--seed', '9', '--to', raw.url], { env });
      expect(sent.code).toBe(0);
      expect(dry.stdoutBytes.toString('latin1')).toBe(raw.bytes().toString('latin1'));
    } finally {
      raw.server.close();
    }
  });

  it('--print-curl gives a command that sends the same bytes with a signature that verifies', async () => {
    const s = await server();
    const printed = await runCli(
      [
        'send',
        'message.created',
        '--seed',
        '5',
        '--set',
        'payload.message=it\'s "quoted" \\ $HOME `x` Zoë 🎄',
        '--to',
        s.url,
        '--print-curl',
      ],
      { env },
    );
    expect(printed.code).toBe(0);
    expect(s.received).toHaveLength(0); // printing does not send
    expect((await runInShell(printed.stdoutBytes)).code).toBe(0);
    const dry = await runCli(
      [
        'send',
        'message.created',
        '--seed',
        '5',
        '--set',
        'payload.message=it\'s "quoted" \\ $HOME `x` Zoë 🎄',
        '--to',
        s.url,
        '--dry-run',
      ],
      { env },
    );
    const body = dry.stdoutBytes.subarray(dry.stdoutBytes.indexOf('\r\n\r\n') + 4);
    expect(s.received[0]!.body.equals(body)).toBe(true);
    expect(JSON.parse(body.toString()).payload.message).toBe('it\'s "quoted" \\ $HOME `x` Zoë 🎄');
    expect(s.received[0]!.headers['x-oblic-signature']).toBe(signatureOf(SECRET, body));
    expect(s.received[0]!.headers['user-agent']).toBeUndefined();
    expect(s.received[0]!.headers.accept).toBeUndefined();
  });
});

describe('send: usage errors exit 2 with one line', () => {
  it.each([
    [['send', 'mesage.created'], 'oblic-hooks: unknown event type "mesage.created"; did you mean message.created?'],
    [
      ['send', 'payment.succeeded'],
      'oblic-hooks: unknown event type "payment.succeeded"; run `oblic-hooks events` for the fifteen types',
    ],
    [
      ['send'],
      'oblic-hooks: name an event type (message.created), a glob (message.*) or all; `oblic-hooks events` lists them',
    ],
    [
      ['send', 'message.created', '--to', 'ftp://x'],
      'oblic-hooks: "ftp://x" uses ftp; only http and https URLs can receive webhooks',
    ],
    [
      ['send', 'message.created', '--to', 'http://'],
      'oblic-hooks: "http://" is not a URL; try http://localhost:3000/webhooks, localhost:3000 or 3000',
    ],
    [
      ['send', 'message.created', '--set', 'payload.message'],
      'oblic-hooks: --set "payload.message" is not path=value; e.g. --set payload.message=hi',
    ],
    [
      ['send', 'message.created', '--set', 'payload.nope.x=1'],
      'oblic-hooks: --set "payload.nope.x=1": payload.nope does not exist',
    ],
    [
      ['send', 'message.created', '--count', '0'],
      'oblic-hooks: --count "0" must be a whole number from 1 to 100000000',
    ],
    [
      ['send', 'message.created', '--timeout', 'soon'],
      'oblic-hooks: --timeout "soon" is not a duration; e.g. 500ms, 10s, 2m or 1.5h',
    ],
    [
      ['send', '--data', '/nonexistent/body.json'],
      'oblic-hooks: cannot read --data /nonexistent/body.json: no such file',
    ],
    [['send', 'message.created', '--bogus'], "oblic-hooks: unknown option '--bogus'"],
    [
      ['send', 'message.created', '--dry-run', '--print-curl'],
      "oblic-hooks: option '--print-curl' cannot be used with option '--dry-run'",
    ],
  ])('%j', async (args, message) => {
    const result = await runCli(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([message]);
    expect(result.stdout).toBe('');
  });

  it('an unknown --set path fails before anything is sent', async () => {
    const s = await server();
    const result = await runCli(['send', 'message.created', '--to', s.url, '--set', 'payload.contact.nope.x=1'], {
      env,
    });
    expect(result.code).toBe(2);
    expect(s.received).toHaveLength(0);
  });
});
