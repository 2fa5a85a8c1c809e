import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempConfigHome } from './helpers/cli.js';

// openssl dgst -sha256 -hmac whsec_test_secret over BODY
const SECRET = 'whsec_test_secret';
const BODY = '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"id":"SIuAFUNKdSYHZF2w"}}';
const SIG = '1b6ce12a8d6f8c67abe552a6340c5da31d7b6ad2fc5831cf1bf346b928bad024';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };

const dir = mkdtempSync(join(tmpdir(), 'oblic-verify-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const capture = (body: string, signature = SIG) =>
  `POST /webhooks HTTP/1.1\r\nHost: localhost:3000\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Oblic-Signature: ${signature}\r\n\r\n${body}`;

describe('verify on the command line', () => {
  it('exits 0 with one line naming the event, from a file and from standard input', async () => {
    const path = file('good.http', capture(BODY));
    const fromFile = await spawnCli(['verify', path], { env });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe('✔ verified  message.updated  a056V7R7NmNRjl70\n');
    expect(fromFile.stderr).toBe('checking with $OBLIC_WEBHOOK_SECRET (…cret)\n');
    const fromStdin = await spawnCli(['verify'], { env, input: capture(BODY) });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });

  it('exits 1 with the reason and a hint, and a last line on stderr', async () => {
    const path = file('newline.http', capture(`${BODY}\n`));
    const result = await runCli(['verify', path], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      '✘ not verified  message.updated  a056V7R7NmNRjl70\n' +
        '  the signature does not match the body (87 bytes) under the secret\n' +
        '  hint: it matches the body without its trailing newline (one was added after signing: an editor, echo, a proxy?)\n',
    );
    expect(result.stderr.trim().split('\n').at(-1)).toBe('oblic-hooks: the signature does not verify');
  });

  it('names the headers present when the signature header is missing', async () => {
    const path = file(
      'missing.http',
      `POST / HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=${SIG}\r\n\r\n${BODY}`,
    );
    const result = await runCli(['verify', path], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('the request has no x-oblic-signature header (it has: host, x-hub-signature-256)');
    expect(result.stdout).toContain('hint: it matches the value of the X-Hub-Signature-256 header');
  });

  it('reads a bare body with --signature, and a listen --json line', async () => {
    const body = file('body.json', BODY);
    expect((await runCli(['verify', body, '--signature', SIG], { env })).code).toBe(0);
    const line = file(
      'line.ndjson',
      `${JSON.stringify({ received_at: '2026-11-29T10:00:00.000Z', method: 'POST', path: '/', headers: { 'x-oblic-signature': SIG }, body: BODY, verified: true, reason: null, event: null, forward: null })}\n`,
    );
    expect((await runCli(['verify', line], { env })).code).toBe(0);
  });

  it('--json prints one object with verdict, hints, matched secret and event', async () => {
    const path = file('rotation.http', capture(BODY));
    const result = await runCli(['verify', path, '--json', '--secret', 'old-secret-0000', '--secret', SECRET], {
      env: {},
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      verified: true,
      reason: null,
      message: 'the signature matches the body',
      hint: null,
      hints: [],
      matched_secret: { index: 1 },
      event: { id: 'a056V7R7NmNRjl70', type: 'message.updated' },
    });
    expect(result.stderr).toContain('checking with 2 secrets: #1 --secret (…0000), #2 --secret (…cret)');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('says which secret matched when several are given', async () => {
    const path = file('rotation2.http', capture(BODY));
    const result = await runCli(['verify', path, '--secret', 'old-secret-0000', '--secret', SECRET]);
    expect(result.stdout).toContain('with secret #2 (--secret)');
  });

  it('checks several files, reports each, and exits with the worst outcome', async () => {
    const good = file('a.http', capture(BODY));
    const bad = file('b.http', capture(BODY, SIG.replace(/^./, '0')));
    const result = await runCli(['verify', good, bad, '--json'], { env });
    expect(result.code).toBe(1);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.file, l.verified, l.reason])).toEqual([
      [good, true, null],
      [bad, false, 'mismatch'],
    ]);
    expect(result.stderr.trim().split('\n').at(-1)).toBe('oblic-hooks: 1 of 2 captures do not verify');
    const withMissing = await runCli(['verify', good, join(dir, 'nope.http')], { env });
    expect(withMissing.code).toBe(2);
    expect(withMissing.stdout).toContain('verified');
  });

  it('verifies what send --dry-run produced, and fails it with another secret', async () => {
    const home = tempConfigHome();
    const dry = await runCli(['send', 'group.created', '--dry-run', '--to', '3000/hooks'], {
      env: { XDG_CONFIG_HOME: home },
    });
    const path = file('dry.http', dry.stdoutBytes);
    const ok = await runCli(['verify', path], { env: { XDG_CONFIG_HOME: home } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^✔ verified {2}group\.created {2}[A-Za-z0-9]{16}\n$/);
    const other = await runCli(['verify', path, '--secret', 'someone-elses-secret'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(
      'hint: it matches with the local development secret (oblic-hooks secret) instead of the secret you gave',
    );
  });

  it.each([
    [['verify', '/nonexistent.http'], 'oblic-hooks: cannot read /nonexistent.http: no such file'],
    [
      ['verify', 'BODY'],
      'oblic-hooks: not a capture: expected an HTTP request ("POST /path HTTP/1.1", headers, blank line, body) or a `listen --json` line; for a bare body pass --signature <hex>',
    ],
    [
      ['verify', 'TRUNCATED'],
      'oblic-hooks: the capture is truncated: Content-Length says 999 bytes but only 86 follow the head',
    ],
  ])('unusable input %j exits 2 with one line', async (args, message) => {
    const paths: Record<string, string> = {
      BODY: file('bare.json', BODY),
      TRUNCATED: file('trunc.http', capture(BODY).replace(/Content-Length: \d+/, 'Content-Length: 999')),
    };
    const result = await runCli(
      args.map((a) => paths[a] ?? a),
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 when there is no secret at all, and never creates one to verify with', async () => {
    const home = tempConfigHome();
    const result = await runCli(['verify', file('nosecret.http', capture(BODY))], { env: { XDG_CONFIG_HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `oblic-hooks: no secret to check with: pass --secret or --secret-file, or set $OBLIC_WEBHOOK_SECRET (no development secret in ${home}/oblic-hooks/secret yet)\n`,
    );
  });

  it('escapes control characters from a hostile capture before printing them', async () => {
    const hostile = BODY.replace('message.updated', 'message.updated\\u001b[2J\\u0007'); // JSON escapes: the parsed type holds ESC and BEL
    const result = await runCli(['verify', file('hostile.http', capture(hostile))], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('message.updated\\x1b[2J\\x07');
    expect(result.stdout).not.toContain('\u001b');
  });
});

describe('verify on captures over 16 MiB (streamed, never read whole)', () => {
  const big = Buffer.alloc(17 * 1024 * 1024, 'x');
  big.write('{"id":"BigBigBigBigBig0","type":"attachment.created","payload":{"data":"', 0);
  big.write('"}}', big.length - 3);
  const sig = createHmac('sha256', SECRET).update(big).digest('hex');
  const head = (length: number, signature = sig) =>
    `POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nX-Oblic-Signature: ${signature}\r\n\r\n`;

  it('verifies a large raw capture and a large bare body, and names the event', async () => {
    const path = file('big.http', Buffer.concat([Buffer.from(head(big.length)), big, Buffer.from('trailing')]));
    const result = await runCli(['verify', path], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✔ verified  attachment.created  BigBigBigBigBig0');
    expect(result.stdout).toContain('note: 8 bytes after the Content-Length body ignored');
    const bare = file('big.body', big);
    expect((await runCli(['verify', bare, '--signature', sig], { env })).code).toBe(0);
  });

  it('fails a large capture with one byte changed, and refuses a truncated one', async () => {
    const tampered = Buffer.from(big);
    tampered[9_000_000] = 0x79;
    const bad = await runCli(['verify', file('bad.http', Buffer.concat([Buffer.from(head(big.length)), tampered]))], {
      env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`the signature does not match the body (${big.length} bytes) under the secret`);
    const cut = await runCli(['verify', file('cut.http', Buffer.concat([Buffer.from(head(big.length + 10)), big]))], {
      env,
    });
    expect(cut.code).toBe(2);
    expect(cut.stderr).toContain(
      `the capture is truncated: Content-Length says ${big.length + 10} bytes but only ${big.length} follow the head`,
    );
  });
});
