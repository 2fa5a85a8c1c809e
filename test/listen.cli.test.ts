import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli, startCli, tempConfigHome, type RunningCli } from './helpers/cli.js';
import { signatureOf, startServer, type TestServer } from './helpers/server.js';

const SECRET = 'listen-test-secret-77';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const EVENT =
  '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"id":"SIuAFUNKdSYHZF2w","contact":{"username":"KevinMcCallister"},"message":"Keep the change 🎄"}}';

let running: RunningCli[] = [];
let servers: TestServer[] = [];
afterEach(async () => {
  for (const cli of running) cli.signal('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
  running = [];
  servers = [];
});

function listen(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const cli = startCli(['listen', '--port', '0', ...args], { env: { ...env, ...options.env } });
  running.push(cli);
  return cli;
}

/** Sends raw bytes over a fresh connection and resolves with everything the server answered. */
function raw(url: string, bytes: Buffer | string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(bytes);
  });
}

function post(body: Buffer | string, headers: Record<string, string> = {}, path = '/'): Buffer {
  const data = Buffer.from(body);
  const head = [
    `POST ${path} HTTP/1.1`,
    'Host: localhost',
    'Connection: close',
    `Content-Length: ${data.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), data]);
}

const signed = (body: string | Buffer, secret = SECRET) => ({
  'Content-Type': 'application/json',
  'X-Oblic-Signature': createHmac('sha256', secret).update(body).digest('hex'),
});

describe('listen --json', () => {
  it('shows signed, unsigned, badly signed, malformed-JSON and non-UTF-8 requests as NDJSON, one object each', async () => {
    const cli = listen(['--json']);
    const url = await cli.url;
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    expect(await raw(url, post(EVENT, signed(EVENT)))).toMatch(/^HTTP\/1.1 200 OK/);
    await raw(url, post(EVENT, { 'Content-Type': 'application/json' }));
    await raw(url, post(EVENT, signed(EVENT, 'another-secret')));
    await raw(url, post('{"id": broken', signed('{"id": broken')));
    await raw(url, post(binary, signed(binary)));
    const lines = (await cli.lines(5)).map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.verified, l.reason, l.event?.type ?? null])).toEqual([
      [true, null, 'message.updated'],
      [false, 'missing_signature', 'message.updated'],
      [false, 'mismatch', 'message.updated'],
      [true, null, null],
      [true, null, null],
    ]);
    expect(lines[0]).toMatchObject({
      method: 'POST',
      path: '/',
      body: EVENT,
      status: 200,
      forward: null,
      event: { id: 'a056V7R7NmNRjl70' },
    });
    expect(lines[0].headers['x-oblic-signature']).toBe(signatureOf(SECRET, Buffer.from(EVENT)));
    expect(lines[4].body_base64).toBe(binary.toString('base64'));
    expect(lines[4].body).toBeUndefined();
    cli.signal('SIGINT');
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('5 received · 3 verified · 1 invalid · 1 unsigned');
  });

  it('answers 405 to other methods, 404 off --path and 413 over --max-body, and keeps serving', async () => {
    const cli = listen(['--json', '--path', '/webhooks', '--max-body', '1kB']);
    const url = await cli.url;
    expect(url).toMatch(/\/webhooks$/);
    expect(await raw(url, 'GET /webhooks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1.1 405 .*\r\nallow: POST/is,
    );
    expect(await raw(url, post(EVENT, signed(EVENT), '/other'))).toMatch(/^HTTP\/1.1 404/);
    const big = JSON.stringify({ id: 'x', type: 'message.created', pad: 'x'.repeat(2000) });
    expect(await raw(url, post(big, signed(big), '/webhooks'))).toMatch(/^HTTP\/1.1 413/);
    const chunkedBig = `POST /webhooks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'y'.repeat(2048)}\r\n0\r\n\r\n`;
    expect(await raw(url, chunkedBig)).toMatch(/^HTTP\/1.1 413/);
    expect(await raw(url, post(EVENT, signed(EVENT), '/webhooks?x=1'))).toMatch(/^HTTP\/1.1 200/);
    const lines = (await cli.lines(5)).map((line) => JSON.parse(line));
    expect(lines.map((l) => l.status)).toEqual([405, 404, 413, 413, 200]);
    expect(lines[4].verified).toBe(true);
  });

  it('--reject-invalid answers 401 to what does not verify; --status and --delay shape the answer', async () => {
    const cli = listen(['--json', '--reject-invalid', '--status', '204', '--delay', '50ms']);
    const url = await cli.url;
    expect(await raw(url, post(EVENT, signed(EVENT, 'wrong')))).toMatch(/^HTTP\/1.1 401/);
    expect(await raw(url, post(EVENT, signed(EVENT)))).toMatch(/^HTTP\/1.1 204/);
  });
});

describe('listen, for people', () => {
  it('prints a block per event with its badge and summary; -v adds the payload, --headers the headers', async () => {
    const cli = listen(['-v', '--headers']);
    const url = await cli.url;
    expect((await cli.url).startsWith('http://127.0.0.1:')).toBe(true);
    await raw(url, post(EVENT, signed(EVENT)));
    await raw(url, post(EVENT, signed(EVENT, 'wrong')));
    await raw(url, post('hello', {}));
    cli.signal('SIGTERM');
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}message\.updated {7}a056V7R7NmNRjl70 {2}✔ verified$/m);
    expect(result.stdout).toContain('KevinMcCallister: “Keep the change 🎄”');
    expect(result.stdout).toContain('✘ invalid signature (mismatch)');
    expect(result.stdout).toContain('"message": "Keep the change 🎄"');
    expect(result.stdout).toContain('X-Oblic-Signature: ');
    expect(result.stdout).toMatch(/POST \/ {2}○ unsigned\n {14}5 B · hello/); // issue 13, item 19: a badge on every row
    expect(result.stderr).toMatch(
      /^listening on http:\/\/127\.0\.0\.1:\d+\/ · verifying with \$OBLIC_WEBHOOK_SECRET \(…t-77\) · Ctrl-C to stop$/m,
    );
    expect(result.stdout).not.toContain('\u001b['); // piped: no colour
  });

  it('colours its blocks when FORCE_COLOR asks, and not with --no-color, on the verifying thread too', async () => {
    for (const [args, coloured] of [
      [[], true],
      [['--no-color'], false],
    ] as const) {
      const cli = listen(['--exit-after', '1', ...args], { env: { FORCE_COLOR: '1' } });
      await raw(await cli.url, post(EVENT, signed(EVENT)));
      const result = await cli.exited;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('✔ verified');
      expect(result.stdout.includes('\u001b[32m✔ verified'), `coloured: ${coloured}`).toBe(coloured);
    }
  });

  it('--events shows only matching events, and counts the others', async () => {
    const cli = listen(['--json', '--events', 'contact.*']);
    const url = await cli.url;
    await raw(url, post(EVENT, signed(EVENT)));
    const contact = '{"id":"AAAAAAAAAAAAAAAA","type":"contact.created","payload":{}}';
    await raw(url, post(contact, signed(contact)));
    expect((await cli.lines(1)).map((l) => JSON.parse(l).event.type)).toEqual(['contact.created']);
    cli.signal('SIGINT');
    const result = await cli.exited;
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('1 hidden by --events');
  });

  it('warns when bound beyond loopback', async () => {
    const cli = listen(['--host', '0.0.0.0']);
    await cli.url;
    cli.signal('SIGINT');
    expect((await cli.exited).stderr).toContain('warning: listening on 0.0.0.0 is reachable from other machines');
  });

  it('exits 2 with one line when the port is in use', async () => {
    const s = await startServer();
    servers.push(s);
    const result = await spawnCli(['listen', '--port', String(s.port)], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `oblic-hooks: port ${s.port} on 127.0.0.1 is in use; pass --port with another port, or --port 0 for a free one\n`,
    );
  });
});

describe('listen with send, save, verify and replay', () => {
  it('send into listen verifies with no secret flags on either side (the shared development secret)', async () => {
    const home = tempConfigHome();
    const cli = listen(['--json', '--exit-after', '3'], {
      env: { OBLIC_WEBHOOK_SECRET: undefined, XDG_CONFIG_HOME: home },
    });
    const url = await cli.url;
    const sent = await runCli(['send', 'message.*', '--to', url], { env: { XDG_CONFIG_HOME: home } });
    expect(sent.code).toBe(0);
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).verified),
    ).toEqual([true, true, true]);
  });

  it('--exit-after exits 1 when a request did not verify, and --timeout before it exits 1', async () => {
    const cli = listen(['--exit-after', '1']);
    await raw(await cli.url, post(EVENT, signed(EVENT, 'wrong')));
    const result = await cli.exited;
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe('oblic-hooks: 1 of the requests did not verify');
    const timed = await spawnCli(['listen', '--port', '0', '--exit-after', '5', '--timeout', '200ms'], { env });
    expect(timed.code).toBe(1);
    expect(timed.stderr.trim().split('\n').at(-1)).toBe(
      'oblic-hooks: --timeout reached with 0 of the 5 requests --exit-after waits for',
    );
  });

  it('--save stores byte-exact captures that verify and replay to the same bytes and signatures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-save-'));
    const cli = listen(['--json', '--save', dir, '--exit-after', '3']);
    const url = await cli.url;
    const sent = await runCli(
      ['send', 'group.created', 'attachment.deleted', 'message.created', '--to', url, '--json'],
      { env },
    );
    expect(sent.code).toBe(0);
    expect((await cli.exited).code).toBe(0);
    const ids = sent.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; type: string });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    files.forEach((name, i) =>
      expect(name).toMatch(new RegExp(`^\\d{8}T\\d{6}\\.\\d{3}Z-00000${i + 1}-${ids[i]!.type}-${ids[i]!.id}\\.http$`)),
    );
    const paths = files.map((f) => join(dir, f));
    const verified = await runCli(['verify', ...paths], { env });
    expect(verified.code).toBe(0);
    expect(verified.stdout.trim().split('\n')).toHaveLength(3);

    const app = await startServer();
    servers.push(app);
    const replayed = await runCli(['replay', ...paths, '--to', app.url], { env: {} });
    expect(replayed.code).toBe(0);
    expect(app.received.map((r) => r.url)).toEqual(['/', '/', '/']);
    paths.forEach((path, i) => {
      const capture = readFileSync(path);
      const body = capture.subarray(capture.indexOf('\r\n\r\n') + 4);
      expect(app.received[i]!.body.equals(body)).toBe(true);
      expect(app.received[i]!.headers['x-oblic-signature']).toBe(signatureOf(SECRET, body));
    });
    const resigned = await runCli(['replay', paths[0]!, '--to', `${app.url}/new`, '--secret', 'rotated-secret-1'], {
      env: {},
    });
    expect(resigned.code).toBe(0);
    expect(app.received[3]!.url).toBe('/new');
    expect(app.received[3]!.headers['x-oblic-signature']).toBe(signatureOf('rotated-secret-1', app.received[3]!.body));
  });

  it('--forward-to passes the exact request to the app and its answer back; an app that is down gets 502', async () => {
    const app = await startServer((_request, response) =>
      response.writeHead(201, { 'x-app': 'yes', 'content-type': 'text/plain' }).end('created by app'),
    );
    servers.push(app);
    const cli = listen(['--json', '--forward-to', `${app.url}/hooks`]);
    const url = await cli.url;
    const answer = await raw(url, post(EVENT, { ...signed(EVENT), 'X-Custom': 'kept' }));
    expect(answer).toMatch(/^HTTP\/1.1 201 Created\r\n/);
    expect(answer).toMatch(/x-app: yes/i);
    expect(answer.endsWith('created by app')).toBe(true);
    expect(app.received[0]!.url).toBe('/hooks');
    expect(app.received[0]!.body.toString()).toBe(EVENT);
    expect(app.received[0]!.headers['x-custom']).toBe('kept');
    expect(app.received[0]!.headers['x-oblic-signature']).toBe(signatureOf(SECRET, Buffer.from(EVENT)));
    expect(app.received[0]!.headers.host).toBe(new URL(app.url).host);
    await app.close();
    servers = [];
    expect(await raw(url, post(EVENT, signed(EVENT)))).toMatch(/^HTTP\/1.1 502/);
    const lines = (await cli.lines(2)).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.status, l.forward.status])).toEqual([
      [201, 201],
      [502, null],
    ]);
    expect(await raw(url, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1.1 405/); // still listening
  });

  it('SIGINT while requests are in flight: every request answered 2xx has one complete capture, none left half-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-sigint-'));
    const cli = listen(['--json', '--save', dir, '--delay', '300ms']);
    const url = await cli.url;
    const sending = runCli(['send', 'message.created', '--count', '40', '-c', '20', '--to', url, '--json'], { env });
    await cli.lines(1); // requests are arriving, and the first ones are being held by --delay
    cli.signal('SIGINT');
    const [sent, listened] = await Promise.all([sending, cli.exited]);
    expect(listened.code).toBe(0);
    const results = sent.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; status: number | null });
    const answered = results.filter((r) => r.status !== null && r.status >= 200 && r.status < 300);
    expect(answered.length).toBeGreaterThan(0);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const { id } of answered) expect(files.filter((f) => f.includes(id))).toHaveLength(1);
    const verified = await runCli(['verify', ...files.map((f) => join(dir, f))], { env });
    expect(verified.code).toBe(0);
  });
});

describe('demo', () => {
  it('sends the fifteen types to its own listener, shows them, and exits 0 when all verified', async () => {
    const result = await spawnCli(['demo'], { env: { XDG_CONFIG_HOME: tempConfigHome() } });
    expect(result.code).toBe(0);
    expect(result.stdout.match(/✔ verified/g)).toHaveLength(15);
    expect(result.stderr).toContain('15 received · 15 verified · 0 invalid · 0 unsigned');
    expect(result.stderr).toContain('✔ all 15 events verified');
    expect(result.stderr).toContain('then `oblic-hooks check <your app>/webhooks` grades your endpoint'); // issue 15
  });
});
