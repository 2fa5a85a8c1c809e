import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli, startCli, type RunningCli } from './helpers/cli.js';

const SECRET = 'hints-cli-fixed-secret';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-hints-'));

let running: RunningCli[] = [];
afterEach(() => {
  for (const cli of running) cli.signal('SIGKILL');
  running = [];
});

/** `{"id":"x","type":"message.created","payload":[[[…]]]}`, 100,000 levels deep (issue 13, item 1). */
const DEEP = Buffer.from(`{"id":"x","type":"message.created","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
/** About 1 MB of event, as a sender may post under --max-body's default. */
const LARGE = Buffer.from(
  JSON.stringify({ id: 'a056V7R7NmNRjl70', type: 'message.created', payload: { message: 'x'.repeat(1_000_000) } }),
);

function request(headers: readonly string[], body: Buffer): Buffer {
  const head = [
    'POST /hooks HTTP/1.1',
    'host: 127.0.0.1',
    'connection: close',
    'content-type: application/json',
    ...headers,
    `content-length: ${body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]);
}

/** Sends bytes and resolves with the answer once the server closes. */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

function file(name: string, data: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** Waits for the listener's stdout to hold a line matching `pattern`, and returns all of it. */
async function untilLine(cli: RunningCli, pattern: RegExp): Promise<string> {
  for (let n = 1; ; n += 1) {
    const lines = await cli.lines(n);
    if (lines.some((line) => pattern.test(line))) return lines.join('\n');
  }
}

describe('verify on a capture whose body is nested 100,000 levels deep (issue 13, item 1)', () => {
  it('exits 1 with its verdict and says which hints it skipped, not 70', async () => {
    const capture = file('deep.http', request([`x-oblic-signature: ${'ab'.repeat(32)}`], DEEP));
    const result = await spawnCli(['verify', capture], { env });
    expect(result.stderr).not.toMatch(/internal error|Maximum call stack/i);
    expect(result.stderr.trim().split('\n').at(-1)).toBe('oblic-hooks: the signature does not verify');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✘ not verified {2}message\.created {2}x\n {2}the signature does not match the body \(200046 bytes\)/,
    );
    expect(result.stdout).toMatch(/hint: not every hint was tried: a variant of the body could not be built/);
  });

  it('exits 1 for the unsigned capture too, with --json', async () => {
    const result = await spawnCli(['verify', '--json'], { env, input: request([], DEEP) });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      verified: false,
      reason: 'missing_signature',
      hints: [],
      event: { id: 'x', type: 'message.created' },
    });
  });
});

describe('hints stay within their budget (issue 13, item 2)', () => {
  it('verify of a 2 MB capture with 23,000 signature-like headers reads a few and says it skipped the rest', async () => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (let i = 0; i < 23_000; i++) headers[`x-${i}-sig`] = i.toString(16).padStart(64, '0');
    const body = `${JSON.stringify({ id: 'a056V7R7NmNRjl70', type: 'message.created', payload: { message: 'x'.repeat(200_000) } })}\n`;
    const capture = file('many.json', JSON.stringify({ method: 'POST', path: '/hooks', headers, body }));
    const result = await runCli(['verify', '--json', capture], { env });
    expect(result.code).toBe(1);
    const { hints } = JSON.parse(result.stdout) as { hints: Array<{ code: string; message: string }> };
    expect(hints.map((h) => h.code)).toEqual(['hints_skipped']);
    expect(hints[0]!.message).toMatch(
      /^not every hint was tried: only the first 8 of the 23000 signature-like headers were read/,
    );
  });

  it('listen --save shows a 1 MB delivery with 300 signature-like headers, its hint found among the first few', async () => {
    const save = mkdtempSync(join(dir, 'save-'));
    const cli = startCli(['listen', '--port', '0', '--save', save], { env });
    running.push(cli);
    const port = Number(new URL(await cli.url).port);
    const md5 = createHmac('md5', SECRET).update(LARGE).digest('hex');
    const headers = Array.from(
      { length: 300 },
      (_, i) => `x-${i}-sig: ${i === 3 ? md5 : i.toString(16).padStart(32, '0')}`,
    );
    expect(await exchange(port, request(headers, LARGE))).toMatch(/^HTTP\/1.1 200 /);
    const out = await untilLine(cli, /not every hint was tried/);
    expect(out).toMatch(/hint: it matches the value of the x-3-sig header: .*as an HMAC-MD5/);
    expect(out).toMatch(/hint: not every hint was tried: only the first 8 of the 300 signature-like headers were read/);
  });

  it('listen --save shows a delivery nested 100,000 levels deep and the next one', async () => {
    const save = mkdtempSync(join(dir, 'save-'));
    const cli = startCli(['listen', '--port', '0', '--save', save], { env });
    running.push(cli);
    const port = Number(new URL(await cli.url).port);
    expect(await exchange(port, request([`x-oblic-signature: ${'ab'.repeat(32)}`], DEEP))).toMatch(/^HTTP\/1.1 200 /);
    expect(await untilLine(cli, /hint: not every hint was tried: a variant of the body could not be built/)).toMatch(
      /message\.created/,
    );
    const next = Buffer.from('{"id":"a056V7R7NmNRjl70","type":"contact.created","payload":{}}');
    const signature = createHmac('sha256', SECRET).update(next).digest('hex');
    expect(await exchange(port, request([`x-oblic-signature: ${signature}`], next))).toMatch(/^HTTP\/1.1 200 /);
    expect(await untilLine(cli, /contact\.created.*✔ verified/)).toBeTruthy();
  });
});
