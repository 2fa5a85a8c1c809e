import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { runInShell } from './helpers/curl.js';
import { signatureOf, startServer, type TestServer } from './helpers/server.js';

// Issue 13, items 15 (--timeout), 20 (send's flags), 21 (--print-curl) and 22 (Ctrl-C during send).

const SECRET = 'hardening-send-secret';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-send-'));

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});
async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  closers.push(() => s.close());
  return s;
}

/** A real server that reads each request and never answers. */
async function silentServer(): Promise<string> {
  const s: Server = createServer((req) => req.resume());
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('item 15: send --timeout is honoured to the millisecond scale a person measures', () => {
  it.each([
    ['300ms', 300],
    ['1200ms', 1200],
  ])('--timeout %s gives up within 50 ms of it (undici took 1 s for 500 ms, 2 s for 1.5 s)', async (flag, ms) => {
    const url = await silentServer();
    const result = await runCli(['send', 'message.created', '--to', url, '--timeout', flag, '--json'], { env });
    expect(result.code).toBe(1);
    const line = JSON.parse(result.stdout) as { ms: number; error: { code: string; message: string } };
    expect(line.error.message).toBe(
      `no complete response from ${url}/ within ${ms} ms; raise --timeout or make the app answer sooner`,
    );
    // Node's timers count whole milliseconds from their own clock: one may fire a fraction early.
    expect(line.ms).toBeGreaterThanOrEqual(ms - 2);
    expect(line.ms).toBeLessThan(ms + 50);
  });

  it('each retry gets its own deadline', async () => {
    const url = await silentServer();
    const result = await runCli(
      ['send', 'message.created', '--to', url, '--timeout', '200ms', '--retries', '1', '--json'],
      { env },
    );
    const line = JSON.parse(result.stdout) as { ms: number; attempts: number };
    expect(line.attempts).toBe(2);
    expect(line.ms).toBeGreaterThanOrEqual(198); // as above: a timer may fire a fraction of a millisecond early
    expect(line.ms).toBeLessThan(250);
  });
});

describe("item 20: send's flags are checked up front", () => {
  it('--dry-run and --print-curl refuse --json (there are no results to print), exit 2', async () => {
    for (const flag of ['--dry-run', '--print-curl']) {
      const result = await runCli(['send', 'message.created', flag, '--json'], { env });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`oblic-hooks: option '${flag}' cannot be used with option '--json'\n`);
    }
  });

  it.each([
    [
      'x-emoji: 🎄',
      '-H "x-emoji" has a control character or a character beyond Latin-1 in its value; percent-encode or base64 it',
    ],
    [
      'x-bell: a\u0007b',
      '-H "x-bell" has a control character or a character beyond Latin-1 in its value; percent-encode or base64 it',
    ],
    [
      'x-del: a\u007fb',
      '-H "x-del" has a control character or a character beyond Latin-1 in its value; percent-encode or base64 it',
    ],
    [
      'Expect: 100-continue',
      '-H expect cannot be set: the HTTP client sends the body at once and never waits for 100 Continue',
    ],
  ])('-H %j is exit 2 before anything is sent', async (header, message) => {
    const s = await server();
    const result = await runCli(['send', 'message.created', '--to', s.url, '-H', header], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(`oblic-hooks: ${message}`);
    expect(s.received).toHaveLength(0);
  });

  it('-H with Latin-1 and a tab goes out as those bytes', async () => {
    const s = await server();
    const result = await runCli(['send', 'message.created', '--to', s.url, '-H', 'x-latin: caf\u00e9\tau lait'], {
      env,
    });
    expect(result.code).toBe(0);
    expect(s.received[0]!.headers['x-latin']).toBe('caf\u00e9\tau lait');
  });
});

describe('item 21: --print-curl is byte-exact', () => {
  it.each(['sh', 'bash'] as const)(
    'a body with NUL, quotes, newlines, percent signs, backslashes and non-UTF-8 bytes, and a Latin-1 header, arrive byte for byte when %s runs it',
    async (shell) => {
      const s = await server();
      const body = Buffer.concat([
        Buffer.from('{"a":"x\u00001 it\'s \\"q\\" %s %% \\\\n \\\\0 $HOME `x` é 🎄"}\n\r\n\t'),
        Buffer.from([0x00, 0x37, 0xff, 0xfe, 0xc2, 0x9b, 0x5b, 0x27, 0x27, 0x0a]),
      ]);
      const data = join(dir, 'tricky.bin');
      writeFileSync(data, body);
      const printed = await runCli(
        ['send', '--data', data, '--to', `${s.url}/p?q=1`, '-H', 'x-latin: caf\u00e9', '--print-curl'],
        { env },
      );
      expect(printed.code).toBe(0);
      const ran = await runInShell(printed.stdoutBytes, shell);
      expect(s.received).toHaveLength(1);
      expect(s.received[0]!.body.toString('hex')).toBe(body.toString('hex'));
      expect(s.received[0]!.url).toBe('/p?q=1');
      expect(s.received[0]!.headers['x-oblic-signature']).toBe(signatureOf(SECRET, body));
      expect(s.received[0]!.headers['x-latin']).toBe('caf\u00e9');
      expect(ran).toEqual({ code: 0, stdout: '{"received":true}', stderr: '' }); // -sS: no progress meter
      expect(printed.stdoutBytes.includes(0x00)).toBe(false); // nothing a terminal or a paste could lose
    },
  );

  it('an empty body is an empty body', async () => {
    const s = await server();
    const data = join(dir, 'empty.bin');
    writeFileSync(data, '');
    const printed = await runCli(['send', '--data', data, '--to', s.url, '--print-curl'], { env });
    expect((await runInShell(printed.stdoutBytes)).code).toBe(0);
    expect(s.received[0]!.body.length).toBe(0);
  });
});

describe('item 22: Ctrl-C during send --count', () => {
  it('prints the partial summary with percentiles on stderr and exits 130', async () => {
    let answered = 0;
    let reached: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (reached = resolve));
    const s = await server((_request, response) => {
      response.end('ok');
      if (++answered === 20) reached();
    });
    const run = startCli(['send', 'message.created', '--count', '100000000', '-c', '2', '--to', s.url], { env });
    await enough;
    run.signal('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(130);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-2)).toMatch(
      /^[\d,]+ sent · [\d,]+ 2xx · 0 other · 0 errors · [\d,]+\/s · p50 \S+ ms · p95 \S+ ms · p99 \S+ ms$/,
    );
    expect(lines.at(-1)).toMatch(/^oblic-hooks: interrupted after [\d,]+ of 100,000,000 deliveries$/);
    const sent = Number(/^([\d,]+) sent/.exec(lines.at(-2)!)![1]!.replaceAll(',', ''));
    expect(sent).toBeGreaterThanOrEqual(20);
    expect(lines.at(-1)).toContain(`after ${sent.toLocaleString('en-US')} of`);
  });

  it('documents 130 in --help', async () => {
    expect((await runCli(['send', '--help'])).stdout).toContain('130 interrupted by Ctrl-C');
    expect((await runCli(['--help'])).stdout).toContain('130 interrupted by Ctrl-C');
  });
});
