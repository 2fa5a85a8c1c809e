import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli, startCli, type RunningCli } from './helpers/cli.js';

// Issue 13: what an attack on the merged hardening still found (review before the stop). Each is
// one line on stderr and exit 2, or an answer a sender can rely on.

let running: RunningCli[] = [];
afterEach(() => {
  for (const cli of running) cli.signal('SIGKILL');
  running = [];
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'oblic-review-'));
}

describe('durations longer than a timer can wait are refused (item 20)', () => {
  // Past 2^31-1 ms Node fires a timer after 1 ms: `--timeout 600h` stopped at once, `--delay 600h`
  // answered at once and `--forward-timeout` timed out every forward at once.
  it.each([
    [['listen', '--port', '0', '--timeout', '600h'], '--timeout "600h"'],
    [['listen', '--port', '0', '--delay', '2147483648ms'], '--delay "2147483648ms"'],
    [['listen', '--port', '0', '--forward-to', '3000', '--forward-timeout', '600h'], '--forward-timeout "600h"'],
    [['send', 'message.created', '--timeout', '600h'], '--timeout "600h"'],
  ])('%j exits 2 with one line', async (args, flag) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`oblic-hooks: ${flag} is longer than the 24 days a timer can wait; e.g. 72h\n`);
  });

  it('takes the longest one a timer can wait', async () => {
    const cli = startCli(['listen', '--port', '0', '--timeout', '2147483647ms']);
    running.push(cli);
    expect(await cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });
});

describe('listen flags that cannot do what they say (item 20)', () => {
  it('--status with --forward-to is refused: the app answers', async () => {
    const result = await runCli(['listen', '--port', '0', '--forward-to', '3000', '--status', '204']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "oblic-hooks: --status 204 has no effect with --forward-to, which answers with your app's status; drop one of them\n",
    );
  });

  it('--max-body over 256MiB is refused, 256MiB is taken', async () => {
    const over = await runCli(['listen', '--port', '0', '--max-body', '257MiB']);
    expect(over.code).toBe(2);
    expect(over.stderr).toBe(
      'oblic-hooks: --max-body "257MiB" is over the 256MiB a listener holds in memory for one body; give at most 256MiB\n',
    );
    const cli = startCli(['listen', '--port', '0', '--max-body', '256MiB']);
    running.push(cli);
    await cli.url;
  });
});

describe('listen --status 205 (item 14)', () => {
  it('answers with no content and Content-Length: 0, and the connection stays usable', async () => {
    const cli = startCli(['listen', '--port', '0', '--status', '205']);
    running.push(cli);
    const url = new URL(await cli.url);
    const answer = await new Promise<{ status: number; length: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/',
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], body }));
          },
        );
        req.on('error', reject);
        req.end('{}');
      },
    );
    expect(answer).toEqual({ status: 205, length: '0', body: '' });
  });
});

describe('secret files (item 24)', () => {
  it('a suggested command quotes a path with a space, so pasting it removes the link and nothing else', async () => {
    const home = join(tempDir(), 'my dir');
    mkdirSync(join(home, 'oblic-hooks'), { recursive: true, mode: 0o700 });
    const target = join(tempDir(), 'elsewhere');
    writeFileSync(target, 'oblicdev_abcdefghijklmnopqrstuvwxyz0123456789\n', { mode: 0o600 });
    symlinkSync(target, join(home, 'oblic-hooks', 'secret'));
    const result = await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`(\`rm '${join(home, 'oblic-hooks', 'secret')}'\`, its target stays)`);
  });

  it('a secret file that starts with a byte order mark is refused, naming it', async () => {
    const file = join(tempDir(), 'secret');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('mysecret\n')]));
    const result = await runCli(['sign', '--secret-file', file], { input: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `oblic-hooks: the secret file ${file} starts with a UTF-8 byte order mark (an editor added it); save it without one ("UTF-8", not "UTF-8 with BOM")\n`,
    );
  });

  it("a FIFO as the secret file is refused with the way to pass a command's output", async () => {
    const fifo = join(tempDir(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const result = await spawnCli(['sign', '--secret-file', fifo], { input: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /not a regular file; for a command's output use OBLIC_WEBHOOK_SECRET="\$\(command\)" instead\n$/,
    );
  });
});

describe('an answer that is not HTTP (items 7, 8)', () => {
  let garbage: Server | undefined;
  afterEach(() => void garbage?.close());

  /** A TCP server that answers any request with bytes that are not HTTP. */
  async function notHttp(): Promise<number> {
    garbage = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    });
    await new Promise<void>((resolve) => garbage!.listen(0, '127.0.0.1', resolve));
    return (garbage!.address() as AddressInfo).port;
  }

  it('send says the server did not answer in HTTP', async () => {
    const port = await notHttp();
    const result = await runCli(['send', 'message.created', '--to', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`http://localhost:${port} sent a response that is not valid HTTP (HPE_INVALID)`);
  });

  it('listen --forward-to labels the row "invalid HTTP" and answers 502', async () => {
    const port = await notHttp();
    const cli = startCli(['listen', '--port', '0', '--forward-to', `127.0.0.1:${port}`]);
    running.push(cli);
    const answer = await fetch(await cli.url, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(502);
    expect(await answer.text()).toContain('sent a response that is not valid HTTP');
    expect((await cli.lines(1))[0]).toMatch(/app invalid HTTP → 502/);
  });
});

describe('what a newcomer found (review before the stop)', () => {
  it('secret --path prints where the secret is kept without creating it', async () => {
    const home = tempDir();
    const result = await runCli(['secret', '--path'], { env: { XDG_CONFIG_HOME: home } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(home, 'oblic-hooks', 'secret')}\n`);
    expect(result.stderr).toBe('');
    expect(existsSync(join(home, 'oblic-hooks'))).toBe(false);
  });

  it('listen --forward-to its own port is refused: every request would come back to it', async () => {
    const result = await runCli(['listen', '--port', '16199', '--forward-to', 'localhost:16199/hooks']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "oblic-hooks: --forward-to http://localhost:16199/hooks is this listener itself (port 16199): every request would be forwarded back to it; give your app's port\n",
    );
  });

  it('listen --timeout exits 1 when a capture could not be written, as a CI gate must', async () => {
    const dir = join(tempDir(), 'captures');
    const cli = startCli(['listen', '--port', '0', '--save', dir, '--timeout', '2s'], {
      env: { OBLIC_WEBHOOK_SECRET: 'review-secret-0001' },
    });
    running.push(cli);
    const url = await cli.url;
    rmSync(dir, { recursive: true });
    const body = '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{}}';
    const signature = createHmac('sha256', 'review-secret-0001').update(body).digest('hex');
    const answer = await fetch(url, { method: 'POST', body, headers: { 'x-oblic-signature': signature } });
    expect(answer.status).toBe(500);
    const result = await cli.exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/1 failed \(answered 500\)/);
    expect(result.stderr).toMatch(/oblic-hooks: 1 of the requests could not be saved \(answered 500\)\n$/);
  });

  it('sign stops at 1 GiB with one line and exit 2 (sign /dev/zero hashed for ever)', async () => {
    const result = await runCli(['sign', '/dev/zero', '--secret', 'review-secret-0001']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /\noblic-hooks: \/dev\/zero is over the 1 GiB sign reads; a webhook body is far smaller \(is it the right file\?\)\n$/,
    );
  });

  it('verify of a streamed capture says hints were not tried, not that none matched', async () => {
    const file = join(tempDir(), 'big.http');
    const body = Buffer.alloc(17 * 1024 * 1024, 0x61);
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(
          `POST / HTTP/1.1\r\nContent-Length: ${body.length}\r\nX-Oblic-Signature: ${'0'.repeat(64)}\r\n\r\n`,
        ),
        body,
      ]),
    );
    const result = await runCli(['verify', file, '--secret', 'review-secret-0001']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'hint: not every hint was tried: the body is over 16 MiB, so it was streamed and no hint was computed',
    );
    expect(result.stdout).not.toContain('none of the usual causes matched');
  });

  it('a malformed signature of one character says "1 character"', async () => {
    const result = await runCli(['verify', '--signature', 'z', '--secret', 'review-secret-0001', '-'], { input: '{}' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(it has 1 character, not all hex)');
  });

  it('an inspector page request over 4 MiB is answered 413 with a line, not a reset', async () => {
    const cli = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0'], {
      env: { OBLIC_WEBHOOK_SECRET: 'review-secret-0001' },
    });
    running.push(cli);
    const ui = new URL(await cli.stderr(/inspector on (http:\/\/\S+)/));
    const { token } = (await fetch(new URL('/api/config', ui)).then((r) => r.json())) as { token: string };
    const answer = await fetch(new URL('/api/send', ui), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-oblic-hooks-token': token, origin: ui.origin },
      body: JSON.stringify({ type: 'message.created', pad: 'x'.repeat(5 * 1024 * 1024) }),
    });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({
      error: 'the request is over the 4 MiB the inspector takes; edit a smaller body',
    });
  });
});
