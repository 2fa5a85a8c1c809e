import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCli, startCli, tempConfigHome, type RunningCli } from './helpers/cli.js';
import { fakeCurlFolder } from './helpers/curl.js';

// Issue 13, items 7, 8 and 20 (the --forward-to parts): listen --forward-to against real apps.

const EVENT = '{"id":"a056V7R7NmNRjl70","type":"message.created","payload":{"id":"SIuAFUNKdSYHZF2w"}}';

let running: RunningCli[] = [];
let apps: Server[] = [];
let children: Array<{ kill(signal: NodeJS.Signals): boolean }> = [];
afterEach(async () => {
  for (const cli of running) cli.signal('SIGKILL');
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    apps.map((app) => new Promise<void>((resolve) => (app.closeAllConnections(), app.close(() => resolve())))),
  );
  running = [];
  apps = [];
  children = [];
});

function listen(args: string[]): RunningCli {
  const cli = startCli(['listen', '--port', '0', ...args]);
  running.push(cli);
  return cli;
}

interface App {
  url: string;
  received: Array<{ headers: IncomingMessage['headers']; body: Buffer }>;
}

/** A real app on 127.0.0.1, port 0; `reply` answers once the request's body is in. */
async function startApp(reply: (res: ServerResponse, req: IncomingMessage) => void): Promise<App> {
  const received: App['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      reply(res, req);
    });
  });
  apps.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One POST on a connection of its own, resolving with the listener's whole answer. */
function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs curl and resolves with its exit code and output: the tests' stand-in (helpers/fake-curl.mjs), which
 * sends Expect: 100-continue for a body over 1 MiB and waits for 100 Continue as curl does.
 */
function curl(args: string[], input: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(`${fakeCurlFolder()}/curl`, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('item 7: Expect and the headers Connection names stay on their hop', () => {
  it('curl sending 2 MB with its own Expect: 100-continue reaches the app, without Expect or the Connection-named headers either way', async () => {
    const app = await startApp((res) =>
      res
        .writeHead(201, {
          'content-type': 'text/plain',
          connection: 'keep-alive, x-app-hop',
          'x-app-hop': 'hop',
          'x-app': 'kept',
        })
        .end('created'),
    );
    const cli = listen(['--json', '--max-body', '4MiB', '--forward-to', `${app.url}/hooks`]);
    const url = await cli.url;
    const body = Buffer.from(
      `{"id":"a056V7R7NmNRjl70","type":"message.created","payload":{"message":"${'a'.repeat(2_000_000)}"}}`,
    );
    const answer = await curl(
      [
        '-sS',
        '-i',
        '--data-binary',
        '@-',
        '-H',
        'content-type: application/json',
        '-H',
        'Connection: keep-alive, x-sender-hop',
        '-H',
        'x-sender-hop: hop',
        url,
      ],
      body,
    );
    expect(answer.stderr).toBe('');
    expect(answer.code).toBe(0);
    expect(answer.stdout).toMatch(/^HTTP\/1.1 100 Continue\r\n\r\nHTTP\/1.1 201 Created\r\n/);
    expect(answer.stdout).toMatch(/\r\nx-app: kept\r\n/);
    expect(answer.stdout).not.toMatch(/x-app-hop/i);
    expect(answer.stdout.endsWith('\r\n\r\ncreated')).toBe(true);
    const [line] = (await cli.lines(1)).map(
      (l) => JSON.parse(l) as { headers: Record<string, string>; status: number },
    );
    expect(line!.headers.expect).toBe('100-continue'); // curl sends it by itself, over 1 MiB
    expect(line!.status).toBe(201);
    expect(app.received).toHaveLength(1);
    expect(app.received[0]!.body.equals(body)).toBe(true);
    expect(app.received[0]!.headers.expect).toBeUndefined();
    expect(app.received[0]!.headers['x-sender-hop']).toBeUndefined();
    expect(app.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('the row says "app down" only when nothing listens, names --forward-to, and says what happened otherwise', async () => {
    const closing = await startApp((res) => res.socket!.destroy());
    const gone = await startApp((res) => res.end());
    const goneUrl = gone.url;
    await new Promise<void>((resolve) => apps.pop()!.close(() => resolve()));
    const down = listen(['--forward-to', goneUrl]);
    expect((await post(await down.url, EVENT)).status).toBe(502);
    const downRow = (await down.lines(4)).join('\n');
    expect(downRow).toMatch(/ unsigned {2}app down → 502 /);
    expect(downRow).toContain(
      `forward failed: nothing is listening at ${goneUrl}/; start your app, or point --forward-to at it`,
    );
    const closed = listen(['--forward-to', closing.url]);
    expect((await post(await closed.url, EVENT)).status).toBe(502);
    const closedRow = (await closed.lines(4)).join('\n');
    expect(closedRow).toMatch(/ unsigned {2}app closed the connection → 502 /);
    expect(closedRow).not.toMatch(/down/);
  });
});

describe('item 8: the app answer is bounded in time and size', () => {
  it('an app that drips one byte at a time past --forward-timeout gets the sender a 504 at the deadline, naming the flag', async () => {
    const drip = await startApp((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 50); // the app's own pace, not a wait in the test
      res.on('close', () => clearInterval(timer));
    });
    const cli = listen(['--forward-to', drip.url, '--forward-timeout', '400ms']);
    const url = await cli.url;
    const started = performance.now();
    const answer = await post(url, EVENT);
    const ms = performance.now() - started;
    expect(answer.status).toBe(504);
    expect(answer.body).toContain(
      `no complete response from ${drip.url}/ within 400 ms; raise --forward-timeout or make the app answer sooner`,
    );
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(3000); // the deadline and some room for a loaded machine; the app drips for ever
    expect((await cli.lines(2)).join('\n')).toMatch(/app too slow → 504 /);
  });

  it('an app that never answers gets the sender a 504 at the deadline too', async () => {
    const silent = await startApp(() => undefined);
    const cli = listen(['--forward-to', silent.url, '--forward-timeout', '300ms']);
    const started = performance.now();
    expect((await post(await cli.url, EVENT)).status).toBe(504);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('an answer of exactly --max-body passes whole; one byte more gets 502 naming --max-body', async () => {
    const app = await startApp((res, req) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end('a'.repeat(Number(req.headers['x-size']))),
    );
    const cli = listen(['--json', '--max-body', '65536', '--forward-to', app.url]);
    const url = await cli.url;
    const ask = (size: number) => post(url, EVENT, { 'x-size': String(size) });
    const whole = await ask(65536);
    expect(whole.status).toBe(200);
    expect(whole.body).toBe('a'.repeat(65536));
    const over = await ask(65537);
    expect(over.status).toBe(502);
    expect(over.body).toContain(`the answer from ${app.url}/ is over 65536 bytes; raise --max-body to pass it on`);
    const lines = (await cli.lines(2)).map((l) => JSON.parse(l) as { status: number; forward: { status: number } });
    expect(lines.map((l) => [l.status, l.forward.status])).toEqual([
      [200, 200],
      [502, 200],
    ]);
  });

  it('a 400 MiB answer does not grow the listener past its bound (VmHWM)', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 97);
    const huge = await startApp((res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(400 * chunk.length) });
      res.on('error', () => undefined); // the listener cuts it off
      let sent = 0;
      const more = () => {
        while (sent < 400 && !res.destroyed) {
          sent += 1;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const child = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--forward-to', huge.url], {
      env: { PATH: process.env.PATH, XDG_CONFIG_HOME: tempConfigHome() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString('utf8');
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on('close', () => reject(new Error(`listen ended: ${stderr}`)));
    });
    const peakKiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
    const before = peakKiB();
    const answer = await post(url, EVENT);
    expect(answer.status).toBe(502);
    expect(answer.body).toContain('is over 1048576 bytes; raise --max-body');
    // Buffered whole, the peak grew by more than the 400 MiB answer (about 810 MiB); bounded, it
    // grows by the 1 MiB limit plus what loading undici and one connection cost (about 12 MiB).
    expect(peakKiB() - before).toBeLessThan(100 * 1024);
  });
});

describe('item 20: --forward-to and --forward-timeout are checked up front', () => {
  it.each([
    [
      ['--forward-to', 'localhost:3000', '--forward-to', 'localhost:3001'],
      'oblic-hooks: --forward-to is given twice ("localhost:3000" and "localhost:3001"); give it once',
    ],
    [['--forward-to', ''], 'oblic-hooks: --forward-to is empty; give a URL, host:port or port'],
    [['--forward-timeout', '2s'], 'oblic-hooks: --forward-timeout needs --forward-to'],
    [
      ['--forward-to', '3000', '--forward-timeout', '0'],
      'oblic-hooks: --forward-timeout "0" would time out every forward; give a duration above 0, e.g. 10s',
    ],
    [
      ['--forward-to', '3000', '--forward-timeout', 'soon'],
      'oblic-hooks: --forward-timeout "soon" is not a duration; e.g. 500ms, 10s, 2m or 1.5h',
    ],
  ])('listen %j exits 2 with one line', async (args, line) => {
    const result = await runCli(['listen', '--port', '0', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
  });

  it('send --to "" still names --to', async () => {
    const result = await runCli(['send', 'message.created', '--to', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('oblic-hooks: --to is empty; give a URL, host:port or port\n');
  });

  it('--help documents --forward-timeout and its default', async () => {
    const result = await runCli(['listen', '--help']);
    expect(result.stdout.replace(/\s+/g, ' ')).toContain(
      "--forward-timeout <duration> answer 504 when the app's whole answer takes longer (default 10s)",
    );
  });
});
