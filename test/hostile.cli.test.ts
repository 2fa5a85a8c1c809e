import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCapture } from '../src/wire/capture.js';
import { inspectCapture } from '../src/wire/verdict.js';
import { runCli, startCli, type RunningCli } from './helpers/cli.js';

const SECRET = 'hostile-test-secret-4242';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const EVENT = '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"id":"SIuAFUNKdSYHZF2w"}}';
const SIG = createHmac('sha256', SECRET).update(EVENT).digest('hex');
const VALID = `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${EVENT.length}\r\nX-Oblic-Signature: ${SIG}\r\n\r\n${EVENT}`;

// 4 kB of fixed pseudo-random bytes: noise, but the same noise every run.
const NOISE = Buffer.concat(Array.from({ length: 128 }, (_, i) => createHash('sha256').update(String(i)).digest()));

let running: RunningCli[] = [];
let sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets) socket.destroy();
  for (const cli of running) cli.signal('SIGKILL');
  sockets = [];
  running = [];
});

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Sends bytes and resolves with whatever came back once the server closes (or the client gives up). */
function exchange(
  port: number,
  bytes: Buffer | string,
  options: { end?: boolean; destroyAfterWrite?: boolean } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(bytes, () => {
      if (options.destroyAfterWrite) socket.destroy();
      else if (options.end !== false) socket.end();
    });
  });
}

describe('listen against slow, broken and hostile clients', () => {
  it('200 stalled half-headers do not delay a real delivery', async () => {
    const cli = startCli(['listen', '--port', '0', '--json'], { env });
    running.push(cli);
    const port = portOf(await cli.url);
    await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(port, '127.0.0.1', () =>
              socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Le', () => resolve()),
            );
            socket.on('error', () => undefined);
            sockets.push(socket);
          }),
      ),
    );
    const started = performance.now();
    expect(await exchange(port, VALID)).toMatch(/^HTTP\/1.1 200/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(JSON.parse((await cli.lines(1))[0]!)).toMatchObject({ verified: true });
  });

  it('answers or closes every broken request, keeps its NDJSON valid, and still verifies the next delivery', async () => {
    const cli = startCli(['listen', '--port', '0', '--json'], { env });
    running.push(cli);
    const port = portOf(await cli.url);
    // Disconnects mid-body: nothing to answer, nothing must break.
    await exchange(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789`, {
      destroyAfterWrite: true,
    });
    // A Content-Length larger than the body, then the client finishes sending: closed, never a 2xx.
    expect(await exchange(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789`)).not.toMatch(
      /^HTTP\/1.1 2/,
    );
    expect(
      await exchange(port, 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'),
    ).toMatch(/^HTTP\/1.1 400/);
    expect(await exchange(port, `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1.1 431/,
    );
    expect(await exchange(port, NOISE)).toMatch(/^HTTP\/1.1 400 /);
    expect(await exchange(port, Buffer.alloc(2048))).toMatch(/^HTTP\/1.1 400 /);
    expect(await exchange(port, 'POST / HTTP/9.9\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1.1 400 /);
    expect(await exchange(port, 'DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1.1 405/);
    expect(await exchange(port, VALID)).toMatch(/^HTTP\/1.1 200/);
    cli.signal('SIGINT');
    const result = await cli.exited;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ verified: true, event: { id: 'a056V7R7NmNRjl70' } });
    expect(lines.map((l) => l.status)).toEqual([405, 200]);
    expect(result.stderr).toMatch(/malformed connections/);
  });

  it('serves no files: a path that names one is just a request', async () => {
    const cli = startCli(['listen', '--port', '0'], { env });
    running.push(cli);
    const port = portOf(await cli.url);
    for (const path of ['/etc/passwd', '/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/package.json']) {
      const answer = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1.1 405/);
      expect(answer).not.toMatch(/root:|"dependencies"/);
    }
  });
});

describe('no loss under load and interruption', () => {
  /** 10,000 deliveries at 64 in flight into `listen --json` with `args`, SIGINT 2,000 lines in. */
  async function interruptedRun(args: string[]) {
    const cli = startCli(['listen', '--port', '0', '--json', ...args], { env });
    running.push(cli);
    const url = await cli.url;
    const sending = runCli(['send', 'message.created', '--count', '10000', '-c', '64', '--json', '--to', url], { env });
    await cli.lines(2000); // well into the run
    cli.signal('SIGINT');
    const [sent, listened] = await Promise.all([sending, cli.exited]);
    expect(listened.code).toBe(0);
    const results = sent.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; status: number | null });
    const answered = results.filter((r) => r.status !== null && r.status >= 200 && r.status < 300);
    expect(answered.length).toBeGreaterThanOrEqual(2000);
    expect(answered.length).toBeLessThan(10_000); // the interruption really came mid-stream
    return { answered, listened };
  }

  it('10,000 deliveries at 64 in flight, SIGINT mid-stream: every 2xx has exactly one complete capture that verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-load-'));
    const { answered, listened } = await interruptedRun(['--save', dir]);
    const files = readdirSync(dir);
    expect(files.filter((name) => !name.endsWith('.http'))).toEqual([]); // no temporary files left
    const byId = new Map<string, number>();
    for (const name of files) {
      const id = /-([A-Za-z0-9]{16})\.http$/.exec(name)![1]!;
      byId.set(id, (byId.get(id) ?? 0) + 1);
    }
    for (const { id } of answered) expect(byId.get(id), `captures of ${id}`).toBe(1);
    for (const name of files) {
      const inspection = inspectCapture(parseCapture(readFileSync(join(dir, name))), [SECRET]);
      expect(inspection.verdict.verified, name).toBe(true);
    }
    // Standard output stayed NDJSON, one line per request, whatever happened.
    for (const line of listened.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('the same without --save, where a second thread verifies: every 2xx has exactly one verified NDJSON line', async () => {
    const { answered, listened } = await interruptedRun([]);
    const lines = listened.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { verified: boolean; event: { id: string } });
    const byId = new Map<string, number>();
    for (const line of lines) {
      expect(line.verified).toBe(true);
      byId.set(line.event.id, (byId.get(line.event.id) ?? 0) + 1);
    }
    for (const { id } of answered) expect(byId.get(id), `lines of ${id}`).toBe(1);
    expect([...byId.values()].every((n) => n === 1)).toBe(true);
    // The summary counts what the verifying thread saw: every line, all verified.
    expect(listened.stderr).toContain(
      `${lines.length.toLocaleString('en-US')} received · ${lines.length.toLocaleString('en-US')} verified`,
    );
  });
});
