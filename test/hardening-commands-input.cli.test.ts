import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type CliResult } from './helpers/cli.js';
import { signatureOf, startServer, type Reply, type TestServer } from './helpers/server.js';

// Issue 13, items 9 (bounded input), 13 (sign's race), 16 (terminal escapes) and 25 (replay).

const SECRET = 'hardening-commands-secret';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-commands-'));
const file = (name: string, data: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function server(reply?: Reply): Promise<TestServer> {
  const s = await startServer(reply);
  servers.push(s);
  return s;
}

/** The real binary with standard input read from a file itself (runCli only pipes a string in). */
const runWithStdin = (args: string[], stdinPath: string): Promise<CliResult> =>
  spawnCli(args, { env, stdinFile: stdinPath });

const NOT_A_CAPTURE =
  'not a capture: expected an HTTP request ("POST /path HTTP/1.1", headers, blank line, body) or a `listen --json` line';

describe('item 9: input is bounded and a non-capture is refused from its first bytes', () => {
  it('verify /dev/zero and verify < /dev/zero end with one line and exit 2', async () => {
    for (const result of [
      await runCli(['verify', '/dev/zero'], { env }),
      await runWithStdin(['verify'], '/dev/zero'),
    ]) {
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        `oblic-hooks: ${NOT_A_CAPTURE}; for a bare body pass --signature <hex>`,
      );
    }
  });

  it('verify of a 2 GB file of zeros says "not a capture" without reading it all', async () => {
    const zeros = join(dir, 'zeros.bin');
    writeFileSync(zeros, '');
    truncateSync(zeros, 2_000_000_000); // sparse: costs no disk
    const result = await runCli(['verify', zeros], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(NOT_A_CAPTURE);
    // Reading 2 GB took 5 s and 2 GB of memory here; the first 8 KiB take milliseconds.
    expect(result.ms).toBeLessThan(3000);
  });

  it('send --data /dev/zero and --data - < /dev/zero are refused past 64 MiB, exit 2', async () => {
    const s = await server();
    for (const result of [
      await runCli(['send', '--data', '/dev/zero', '--to', s.url], { env }),
      await runWithStdin(['send', '--data', '-', '--to', s.url], '/dev/zero'),
    ]) {
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toMatch(
        /^oblic-hooks: --data (\/dev\/zero|-) is over 64 MiB, the most read into memory$/,
      );
    }
    expect(s.received).toHaveLength(0);
  });

  it('replay /dev/zero is refused from its first bytes, without --signature advice replay has no flag for', async () => {
    const s = await server();
    const result = await runCli(['replay', '/dev/zero', '--to', s.url], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`oblic-hooks: /dev/zero: ${NOT_A_CAPTURE}\n`);
    expect(s.received).toHaveLength(0);
  });

  it('a capture over 64 MiB that cannot be streamed (a JSON line) is refused with the limit', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '{"headers":{},"body":"');
    truncateSync(big, 65 * 1024 * 1024);
    const result = await runCli(['verify', big], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${big} is over 64 MiB, the most read into memory; only a file is streamed past it`,
    );
  });

  it('verify of a bare JSON body suggests --signature', async () => {
    const result = await runCli(['verify', file('bare.json', '{"id":"x","type":"message.created"}')], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      `oblic-hooks: ${NOT_A_CAPTURE}; for a bare body pass --signature <hex>`,
    );
  });

  it('a capture whose request line is longer than a whole head the listener takes (20 KiB) still verifies', async () => {
    const body = '{"id":"longlonglonglong","type":"message.created"}';
    const capture = file(
      'long.http',
      `POST /${'x'.repeat(20_000)} HTTP/1.1\r\nX-Oblic-Signature: ${signatureOf(SECRET, Buffer.from(body))}\r\n\r\n${body}`,
    );
    const result = await runCli(['verify', capture], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✔ verified  message.created  longlonglonglong');
  });

  it('documents the limits in --help', async () => {
    expect((await runCli(['verify', '--help'])).stdout).toContain('Up to 64 MiB is read into memory');
    expect((await runCli(['send', '--help'])).stdout).toMatch(
      // Any word may wrap: the column widths follow the longest flag.
      /--data <file\|->\s+send\s+these\s+exact\s+bytes\s+as\s+the\s+body\s+instead\s+of\s+a\s+sample\s+event\s+\(up\s+to\s+64\s+MiB\)/,
    );
    expect((await runCli(['replay', '--help'])).stdout).toContain('Each file is read up to 64 MiB');
  });
});

describe('item 13: sign of a missing file', () => {
  it('is one line and exit 2 every time, also while the development secret is being created', async () => {
    // Each run gets a fresh config dir, so the development secret is created: that is what made
    // the stream's error come first, every time before the fix.
    const runs = await Promise.all(Array.from({ length: 12 }, () => runCli(['sign', join(dir, 'nofile.txt')])));
    for (const result of runs) {
      expect(result.stderr).toBe(`oblic-hooks: cannot read ${join(dir, 'nofile.txt')}: no such file\n`);
      expect(result.code).toBe(2);
    }
  });

  it('still signs a file and standard input', async () => {
    const body = file('sign-me.json', '{"a":1}\n');
    expect((await runCli(['sign', body], { env })).stdout).toBe(`${signatureOf(SECRET, Buffer.from('{"a":1}\n'))}\n`);
    expect((await runCli(['sign'], { env, input: 'xyz' })).stdout).toBe(`${signatureOf(SECRET, Buffer.from('xyz'))}\n`);
  });
});

const OSC52 = '\u001b]52;c;aGVsbG8=\u0007';

describe('item 16: text from input never reaches the terminal raw', () => {
  it('verify escapes the header names it lists for a missing signature', async () => {
    const capture = file('osc.http', `POST / HTTP/1.1\r\nHost: x\r\n${OSC52}x: 1\r\nContent-Length: 2\r\n\r\n{}`);
    const result = await runCli(['verify', capture], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(it has: host, \\x1b]52;c;agvsbg8=\\x07x, content-length)');
    expect(result.stdout + result.stderr).not.toMatch(/[\u001b\u0007]/);
  });

  it('error lines quote input escaped (a Content-Length with escapes)', async () => {
    const capture = file('cl.http', `POST / HTTP/1.1\r\nContent-Length: 2${OSC52}\r\n\r\n{}`);
    const result = await runCli(['verify', capture], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('\\x1b]52;c;aGVsbG8=\\x07');
    expect(result.stderr).not.toMatch(/[\u001b\u0007]/);
  });

  it("replay escapes the body's type and id, and a response body's C1 controls", async () => {
    const s = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('ok \u009b31m red');
    });
    const body = JSON.stringify({ id: `id${OSC52}`, type: `message.created${OSC52}` });
    const capture = file(
      'osc-body.http',
      `POST / HTTP/1.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const result = await runCli(['replay', capture, '--to', s.url], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('message.created\\x1b]52;c;aGVsbG8=\\x07');
    expect(result.stdout).toContain('ok \\x9b31m red');
    expect(result.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
  });
});

describe('item 25: replay sends what was captured, where it says', () => {
  const body = '{"id":"dupdupdupdupdup0","type":"message.created"}';
  const signed = `X-Oblic-Signature: ${signatureOf(SECRET, Buffer.from(body))}\r\n`;

  it('keeps duplicate headers separate, in their order, with their names as captured', async () => {
    const s = await server();
    const capture = file(
      'dup.http',
      `POST /h HTTP/1.1\r\nHost: x\r\nX-Dup: aaaa\r\n${signed}X-Dup: bbbb\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const result = await runCli(['replay', capture, '--to', s.url], { env });
    expect(result.code).toBe(0);
    const raw = s.received[0]!.rawHeaders;
    const pairs = raw.flatMap((name, i) => (i % 2 === 0 ? [[name, raw[i + 1]]] : []));
    expect(pairs.filter(([name]) => !['host', 'connection', 'content-length'].includes(name!.toLowerCase()))).toEqual([
      ['X-Dup', 'aaaa'],
      ['X-Oblic-Signature', signatureOf(SECRET, Buffer.from(body))],
      ['X-Dup', 'bbbb'],
    ]);
  });

  it('re-signing replaces the captured signature and keeps the rest', async () => {
    const s = await server();
    const capture = file(
      'dup2.http',
      `POST /h HTTP/1.1\r\nX-Dup: aaaa\r\n${signed}X-Dup: bbbb\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const result = await runCli(['replay', capture, '--to', s.url, '--secret', 'another-secret'], { env });
    expect(result.code).toBe(0);
    expect(s.received[0]!.headers['x-oblic-signature']).toBe(signatureOf('another-secret', Buffer.from(body)));
    expect(s.received[0]!.headers['x-dup']).toBe('aaaa, bbbb'); // node joins them on reading; they came as two
    expect(s.received[0]!.rawHeaders.filter((name) => name.toLowerCase() === 'x-dup')).toHaveLength(2);
  });

  it('an absolute-form request-target gives only its path and query: the URL shown is the one sent to', async () => {
    const s = await server();
    const capture = file(
      'abs.http',
      `POST http://captured.example:8080/hook?x=1 HTTP/1.1\r\n${signed}Content-Length: ${body.length}\r\n\r\n${body}`,
    );
    const result = await runCli(['replay', capture, '--to', s.url], { env });
    expect(result.code).toBe(0);
    expect(s.received[0]!.url).toBe('/hook?x=1');
    expect(result.stdout).toContain(`→ ${s.url}/hook?x=1`);
    expect(result.stdout).not.toContain('captured.example');
  });

  it('a request-target "//other.example/x" is a path on --to, never another host', async () => {
    const s = await server();
    const capture = file(
      'dslash.http',
      `POST //other.example/x HTTP/1.1\r\n${signed}Content-Length: ${body.length}\r\n\r\n${body}`,
    );
    const result = await runCli(['replay', capture, '--to', s.url], { env });
    expect(result.code).toBe(0);
    expect(s.received[0]!.url).toBe('//other.example/x');
    expect(result.stdout).toContain(`→ ${s.url}//other.example/x`);
  });

  it('replays every line of a `listen --json` log; verify says it takes one, without flags replay lacks', async () => {
    const s = await server();
    const line = (id: string) => {
      const event = `{"id":"${id}","type":"message.created"}`;
      return JSON.stringify({
        method: 'POST',
        path: '/log',
        headers: { 'x-oblic-signature': signatureOf(SECRET, Buffer.from(event)) },
        body: event,
      });
    };
    const log = file('events.ndjson', `${line('lineoneoneoneone')}\n\n${line('linetwotwotwotwo')}\n`);
    const replayed = await runCli(['replay', log, '--to', s.url], { env });
    expect(replayed.code).toBe(0);
    expect(s.received.map((r) => JSON.parse(r.body.toString()).id)).toEqual(['lineoneoneoneone', 'linetwotwotwotwo']);
    const verified = await runCli(['verify', log], { env });
    expect(verified.code).toBe(2);
    expect(verified.stderr.trim().split('\n').at(-1)).toBe(
      `oblic-hooks: ${log} holds 2 captures (\`listen --json\` lines); verify takes one per file (e.g. \`sed -n 3p log.ndjson | oblic-hooks verify\`)`,
    );
    const broken = file('broken.ndjson', `${line('lineoneoneoneone')}\n{"nope":1}\n`);
    const refused = await runCli(['replay', broken, '--to', s.url], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`oblic-hooks: ${broken}: line 2: ${NOT_A_CAPTURE}\n`);
  });
});
