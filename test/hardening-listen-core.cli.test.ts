// Issue 13, the listener's own items: one request never ends `listen` (1), a request after SIGINT is
// answered (4), a capture that cannot be written is shown and counted (6), --timeout is a CI gate (22).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, startCli, tempConfigHome, type CliResult, type RunningCli } from './helpers/cli.js';

const SECRET = 'listen-core-secret-13';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const EVENT = '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"message":"hi"}}';
const DEPTH = 100_000;
const DEEP = `{"id":"x","type":"message.created","payload":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`;

let running: RunningCli[] = [];
afterEach(() => {
  for (const cli of running) cli.signal('SIGKILL');
  running = [];
});

function listen(args: string[]): RunningCli {
  const cli = startCli(['listen', '--port', '0', ...args], { env });
  running.push(cli);
  return cli;
}

/** POSTs `body` and resolves with the status answered. */
async function deliver(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { method: 'POST', body, headers });
  await response.arrayBuffer();
  return response.status;
}

function post(body: string, headers: Record<string, string> = {}, connection = 'close'): string {
  const head = [
    'POST / HTTP/1.1',
    'Host: localhost',
    `Connection: ${connection}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

// A signature that matches nothing, so the hints run over the body.
const WRONG = { 'Content-Type': 'application/json', 'X-Oblic-Signature': '0'.repeat(64) };

const signed = (body: string) => ({
  'Content-Type': 'application/json',
  'X-Oblic-Signature': createHmac('sha256', SECRET).update(body).digest('hex'),
});

async function stop(cli: RunningCli): Promise<CliResult> {
  cli.signal('SIGINT');
  return cli.exited;
}

describe('listen survives any one request (issue 13, item 1)', () => {
  it('a 100,000-level nested body on the verifying thread: 200, shown as invalid with the hints it could not try, counted, and listening goes on', async () => {
    const cli = listen([]);
    const url = await cli.url;
    expect(await deliver(url, DEEP, WRONG)).toBe(200);
    expect(await deliver(url, EVENT, signed(EVENT))).toBe(200);
    await cli.lines(5);
    const result = await stop(cli);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/message\.created +x {2}✘ invalid signature \(mismatch\)/);
    expect(result.stdout).toContain('not every hint was tried');
    expect(result.stdout).toContain('✔ verified');
    expect(result.stderr).toContain('2 received · 1 verified · 1 invalid · 0 unsigned');
  });

  it('the same body with --save is answered 200, shown, saved and counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-deep-'));
    const cli = listen(['--save', dir]);
    const url = await cli.url;
    expect(await deliver(url, DEEP, WRONG)).toBe(200);
    const result = await stop(cli);
    expect(result.stdout).toContain('not every hint was tried');
    expect(result.stderr).toContain('1 received · 0 verified · 1 invalid · 0 unsigned');
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/-000001-message\.created-x\.http$/)]);
  });

  it('the same body with --reject-invalid is answered 401, shown and counted', async () => {
    const cli = listen(['--reject-invalid']);
    const url = await cli.url;
    expect(await deliver(url, DEEP)).toBe(401);
    const result = await stop(cli);
    expect(result.stdout).toMatch(/message\.created +x {2}○ unsigned {2}→ 401\n/);
    expect(result.stdout).toContain('the request has no x-oblic-signature header');
    expect(result.stderr).toContain('1 received · 0 verified · 0 invalid · 1 unsigned');
  });

  it('-v shows such a body down to a depth, then says it goes deeper', async () => {
    const cli = listen(['-v']);
    const url = await cli.url;
    await deliver(url, DEEP);
    const result = await stop(cli);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"type": "message.created"');
    expect(result.stdout).toContain('[… nested deeper than 32 levels]');
  });
});

describe('listen after SIGINT (issue 13, item 4)', () => {
  it('a request behind another on a keep-alive connection is answered 503 with connection: close, and counted as refused', async () => {
    const cli = listen(['--delay', '1s']);
    const { port } = new URL(await cli.url);
    const socket = connect(Number(port), '127.0.0.1');
    let answered = '';
    socket.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(post('{}', {}, 'keep-alive'));
    await cli.lines(1); // taken, and held by --delay
    cli.signal('SIGINT');
    await cli.stderr(/(stopping)/); // the ready line has no such word: this waits for the signal to be handled
    socket.write(post('{}', {}, 'keep-alive'));
    await closed;
    const result = await cli.exited;
    const answers = answered.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1.1 200 /);
    expect(answers[0]).not.toMatch(/connection: close/i);
    expect(answers[1]).toMatch(/^HTTP\/1.1 503 [^]*\r\nconnection: close\r\n[^]*the listener is stopping/);
    expect(result.stderr).toContain(
      '2 received · 0 verified · 0 invalid · 1 unsigned · 1 refused (method, path, size or stopping)',
    );
  });
});

/** `listen` with writes limited to `blocks` KiB per file (RLIMIT_FSIZE): a write past it fails with EFBIG, even as root. */
function listenWithFileLimit(blocks: number, args: string[]): RunningCli & { url: Promise<string> } {
  const child = spawn(
    'sh',
    ['-c', `ulimit -f ${blocks} && exec "$@"`, 'sh', process.execPath, BIN, 'listen', '--port', '0', ...args],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: tempConfigHome(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stdout.on('data', (chunk: Buffer) => ((out += chunk.toString('utf8')), wake()));
  child.stderr.on('data', (chunk: Buffer) => ((err += chunk.toString('utf8')), wake()));
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err, stdoutBytes: Buffer.from(out), ms: 0 })),
  );
  const until = (pattern: RegExp, text: () => string): Promise<string> =>
    new Promise((resolve) => {
      const attempt = () => (pattern.test(text()) ? resolve(pattern.exec(text())![1] ?? '') : waiters.push(attempt));
      attempt();
    });
  const cli: RunningCli = {
    url: until(/listening on (http:\/\/\S+)/, () => err),
    stderr: (pattern) => until(pattern, () => err),
    lines: async (n) => {
      await until(new RegExp(`^(?:.*\\n){${n}}`), () => out);
      return out.split('\n').filter(Boolean);
    },
    signal: (name) => child.kill(name),
    exited,
  };
  running.push(cli);
  return cli;
}

describe('a capture that cannot be written (issue 13, item 6)', () => {
  it('a write that fails half-way (EFBIG) is answered 500, shown with why, counted, and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-efbig-'));
    const cli = listenWithFileLimit(4, ['--save', dir]);
    const url = await cli.url;
    const big = JSON.stringify({
      id: 'bigbigbigbigbig1',
      type: 'message.created',
      payload: { message: 'x'.repeat(8000) },
    });
    expect(await deliver(url, big, signed(big))).toBe(500);
    expect(await deliver(url, EVENT, signed(EVENT))).toBe(200);
    const result = await stop(cli);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/message\.created +bigbigbigbigbig1 {2}✔ verified {2}→ 500/);
    expect(result.stdout).toMatch(new RegExp(`✘ the capture could not be written to ${dir}: [^\\n]+ → 500`));
    expect(result.stderr).toContain('2 received · 2 verified · 0 invalid · 0 unsigned · 1 failed (answered 500)');
    expect(readdirSync(dir, { withFileTypes: true }).map((f) => f.name)).toEqual([
      expect.stringMatching(/-000002-message\.updated-a056V7R7NmNRjl70\.http$/),
    ]);
  });

  it('a save directory removed while listening: each request is answered 500, shown and counted', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'oblic-gone-')), 'captures');
    const cli = listen(['--json', '--save', dir]);
    const url = await cli.url;
    rmSync(dir, { recursive: true });
    expect(await deliver(url, EVENT, signed(EVENT))).toBe(500);
    const result = await stop(cli);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 500, verified: true, event: { id: 'a056V7R7NmNRjl70' } });
    expect(result.stderr).toContain('1 received · 1 verified · 0 invalid · 0 unsigned · 1 failed (answered 500)');
  });
});

describe('listen --timeout is a CI gate (issue 13, item 22)', () => {
  it('exits 1 when a delivery did not verify, without --exit-after', async () => {
    const cli = listen(['--timeout', '1s']);
    await deliver(await cli.url, EVENT);
    const result = await cli.exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/oblic-hooks: 1 of the requests did not verify\n$/);
  });

  it('exits 0 when every delivery verified', async () => {
    const cli = listen(['--timeout', '1s']);
    await deliver(await cli.url, EVENT, signed(EVENT));
    expect((await cli.exited).code).toBe(0);
  });
});
