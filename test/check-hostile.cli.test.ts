// `oblic-hooks check` against endpoints that misbehave on purpose (issue 15): what such an endpoint
// answers, or does not, is a verdict on one line, never a hang, a stack trace or an exit 0 that hides
// failed probes. The real built binary against real servers on 127.0.0.1, port 0.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli, tempConfigHome } from './helpers/cli.js';
import { serveEach } from './helpers/server.js';

const SECRET = 'check-hostile-secret-0015';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };

const serve = serveEach();
let raw: Server[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(raw.map((server) => new Promise((resolve) => server.close(resolve))));
  raw = [];
  sockets = [];
});

/** A raw TCP endpoint that writes `answer` once each request's head has arrived, and leaves the socket open. */
async function serveRaw(answer: string): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = '';
      socket.write(Buffer.from(answer, 'latin1'));
    });
  });
  raw.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('oblic-hooks check against a hostile endpoint', () => {
  it.runIf(existsSync('/dev/full'))(
    '--junit to a full disk: one line naming the report, exit 2, not an internal error',
    async () => {
      const server = await serve((_request, response) => response.writeHead(204).end()); // takes forgeries
      const run = await spawnCli(
        ['check', `${server.port}/webhooks`, '--only', 'rejects-wrong-secret', '--junit', '/dev/full'],
        { env },
      );
      expect(run.stderr).not.toContain('internal error');
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        'oblic-hooks: cannot write the JUnit report /dev/full: no space left on the device',
      );
      expect(run.code).toBe(2);
    },
  );

  it.runIf(existsSync('/dev/full'))(
    'stdout on a full disk: the run does not end with exit 0 and failed probes unsaid',
    async () => {
      const server = await serve((_request, response) => response.writeHead(204).end()); // takes forgeries
      const stdout = openSync('/dev/full', 'w');
      const child = spawn(process.execPath, [BIN, 'check', `${server.port}/webhooks`, '--json'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: tempConfigHome(), ...env },
        stdio: ['ignore', stdout, 'pipe'],
      });
      closeSync(stdout);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).not.toBe(0);
      expect(stderr.trim().split('\n').at(-1)).toMatch(/^oblic-hooks: cannot write to standard output/);
    },
  );

  it('a 10 kB Location is quoted shortened in every fix: the report card, --json and --junit', async () => {
    const port = await serveRaw(
      `HTTP/1.1 301 Moved Permanently\r\nlocation: /${'L'.repeat(10_240)}\r\ncontent-length: 0\r\n\r\n`,
    );
    const card = await spawnCli(['check', `${port}/webhooks`, '--only', 'accepts-every-type'], { env });
    expect(card.code).toBe(1);
    expect(card.stdout).toContain('fix  the endpoint redirects (to /LLL');
    for (const line of card.stdout.split('\n')) expect(line.length).toBeLessThan(400);
    // Where every delivery is redirected, the other probes are not run: the one line quotes it shortened too.
    const blocked = await spawnCli(['check', `${port}/webhooks`, '--only', 'signatures'], { env });
    expect(blocked.stderr.trim().split('\n').at(-1)).toMatch(
      /^oblic-hooks: the control delivery \(a validly signed message\.created\) answered 301, so no probe was run: the endpoint redirects \(to \/L+…?\)/,
    );
    expect(blocked.stderr.trim().split('\n').at(-1)!.length).toBeLessThan(400);
    const junit = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-junit-')), 'check.xml');
    const json = await spawnCli(
      ['check', `${port}/webhooks`, '--only', 'accepts-every-type', '--json', '--junit', junit],
      {
        env,
      },
    );
    for (const line of json.stdout.trim().split('\n')) {
      const { fix } = JSON.parse(line) as { fix?: string | null };
      expect(fix?.length ?? 0).toBeLessThan(400);
    }
    const messages = [...readFileSync(junit, 'utf8').matchAll(/<failure message="([^"]*)"/g)].map((m) => m[1]!);
    expect(messages).toHaveLength(1);
    for (const message of messages) expect(message.length).toBeLessThan(400);
  });

  it.each([
    ['a non-HTTP banner', 'SSH-2.0-OpenSSH_9.6\r\n'],
    ['status 600', 'HTTP/1.1 600 Odd\r\ncontent-length: 0\r\n\r\n'],
    ['status 000', 'HTTP/1.1 000 Zero\r\ncontent-length: 0\r\n\r\n'],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n'],
    ['100 Continue, then nothing', 'HTTP/1.1 100 Continue\r\n\r\n'],
    ['a header with an escape', 'HTTP/1.1 401 X\r\nx-evil: \x1b]0;pwned\x07\r\ncontent-length: 0\r\n\r\n'],
    ['a body that never ends', 'HTTP/1.1 401 X\r\ntransfer-encoding: chunked\r\n\r\n4\r\nmore\r\n'.repeat(2)],
  ])('%s: a verdict, exit 1, no stack trace, nothing raw on the terminal', async (_name, answer) => {
    const port = await serveRaw(answer);
    const run = await spawnCli(['check', `${port}/webhooks`, '--only', 'accepts-every-type', '--timeout', '2s'], {
      env,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('internal error');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(`${run.stdout}${run.stderr}`).not.toContain('\x1b');
  });
});
