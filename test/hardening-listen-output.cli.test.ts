import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenEach, runCli } from './helpers/cli.js';

const SECRET = 'listen-output-secret-1';
const OTHER = 'listen-output-secret-2';
const EVENT =
  '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"id":"SIuAFUNKdSYHZF2w","contact":{"username":"KevinMcCallister"},"message":"Keep the change 🎄"}}';

const listen = listenEach({ OBLIC_WEBHOOK_SECRET: SECRET });

/** POSTs a body to the listener and resolves with its answer. */
async function deliver(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const signed = (body: string, secret = SECRET) => ({
  'Content-Type': 'application/json',
  'X-Oblic-Signature': createHmac('sha256', secret).update(body).digest('hex'),
});

/** The one stderr line and the exit code of a listen that must refuse its flags before listening. */
async function refused(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const cli = listen(args);
  const listening = cli.url.then(
    () => ({ code: null, stderr: 'it started listening' }),
    () => new Promise<never>(() => undefined), // it ended first: the exit below answers
  );
  return Promise.race([cli.exited.then((r) => ({ code: r.code, stderr: r.stderr })), listening]);
}

describe('listen --status without a body (issue 13, item 14)', () => {
  for (const status of [204, 304]) {
    it(`--status ${status} answers with neither a body nor a Content-Length`, async () => {
      const cli = listen(['--status', String(status)]);
      const answer = await deliver(await cli.url, EVENT, signed(EVENT));
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-length')).toBeNull();
      expect(answer.text).toBe('');
    });
  }

  it('send gets a clean 204 from listen --status 204', async () => {
    const cli = listen(['--status', '204', '--exit-after', '1']);
    const url = await cli.url;
    const sent = await runCli(['send', 'message.created', '--to', url, '--secret', SECRET]);
    expect(sent.stderr).not.toContain('does not match');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^204 /);
    expect((await cli.exited).code).toBe(0);
  });
});

describe('listen refuses flags that cannot work, up front (issue 13, items 14 and 20)', () => {
  for (const [args, says] of [
    [['--status', '100'], /--status 100 is an interim \(1xx\) status/],
    [['--status', '101'], /--status 101 is an interim \(1xx\) status/],
    [['--max-body', '0'], /--max-body "0" would refuse every delivery/],
    [['--timeout', '0'], /--timeout "0" would stop before any request/],
    [['--timeout', '0s', '--exit-after', '1'], /--timeout "0s" would stop before any request/],
  ] as const) {
    it(`listen ${args.join(' ')} is one line and exit 2`, async () => {
      const result = await refused([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(says);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }
});

describe('listen says which secret matched (issue 13, item 17)', () => {
  const secretFile = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-listen-output-')), 'secret');
    writeFileSync(path, `${SECRET}\n`, { mode: 0o600 });
    return path;
  };

  // --reject-invalid answers on the main thread; without it the verifying thread shows the rows.
  for (const extra of [[], ['--reject-invalid']]) {
    it(`numbers secrets in the order given, in the rows and in --json${extra.length ? ' (--reject-invalid)' : ''}`, async () => {
      const file = secretFile();
      const pretty = listen(['--secret-file', file, '--secret', OTHER, '--exit-after', '2', ...extra]);
      const url = await pretty.url;
      await deliver(url, EVENT, signed(EVENT, SECRET));
      await deliver(url, EVENT, signed(EVENT, OTHER));
      const shown = await pretty.exited;
      expect(shown.stdout).toContain(`✔ verified  with secret #1 (the secret file ${file})`);
      expect(shown.stdout).toContain('✔ verified  with secret #2 (--secret)');

      const json = listen(['--json', '--secret-file', file, '--secret', OTHER, '--exit-after', '3', ...extra]);
      const jsonUrl = await json.url;
      await deliver(jsonUrl, EVENT, signed(EVENT, SECRET));
      await deliver(jsonUrl, EVENT, signed(EVENT, OTHER));
      await deliver(jsonUrl, EVENT, signed(EVENT, 'neither'));
      const lines = (await json.exited).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { matched_secret: unknown });
      expect(lines.map((l) => l.matched_secret)).toEqual([{ index: 0 }, { index: 1 }, null]);
    });
  }

  it('says nothing of it with one secret', async () => {
    const cli = listen(['--exit-after', '1']);
    await deliver(await cli.url, EVENT, signed(EVENT));
    expect((await cli.exited).stdout).toMatch(/✔ verified$/m);
  });

  it('verify numbers --secret-file a --secret b with a first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-listen-output-'));
    const capture = join(dir, 'request.http');
    const headers = Object.entries(signed(EVENT, SECRET))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    writeFileSync(
      capture,
      `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${Buffer.byteLength(EVENT)}\r\n${headers}\r\n${EVENT}`,
    );
    const file = secretFile();
    const result = await runCli(['verify', capture, '--secret-file', file, '--secret', OTHER]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`#1 the secret file ${file}`);
    expect(result.stdout).toContain(`with secret #1 (the secret file ${file})`);
  });
});

describe('every listen row carries its verdict (issue 13, item 19)', () => {
  it('a body that is not an Oblic event still shows its badge', async () => {
    const cli = listen(['--exit-after', '2']);
    const url = await cli.url;
    await deliver(url, '{"hello":1}', signed('{"hello":1}'));
    await deliver(url, 'hello');
    const { stdout } = await cli.exited;
    expect(stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}POST \/ {2}✔ verified$/m);
    expect(stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}POST \/ {2}○ unsigned$/m);
    expect(stdout).toContain('not a valid Oblic event: id is not 16 characters');
  });

  it('a validly signed event of no Oblic type says why it is not a valid event, in rows and --json', async () => {
    const cli = listen(['--exit-after', '1']);
    const sent = await runCli([
      'send',
      'message.created',
      '--to',
      await cli.url,
      '--secret',
      SECRET,
      '--set',
      'type=message.exploded',
    ]);
    expect(sent.code).toBe(0);
    const { stdout } = await cli.exited;
    expect(stdout).toMatch(/message\.exploded +\w{16} {2}✔ verified/);
    expect(stdout).toContain(
      'not a valid Oblic event: type "message.exploded" is not one of the fifteen Oblic event types',
    );

    const json = listen(['--json', '--exit-after', '2']);
    const url = await json.url;
    await runCli(['send', 'message.created', '--to', url, '--secret', SECRET, '--set', 'type=message.exploded']);
    await runCli(['send', 'message.created', '--to', url, '--secret', SECRET]);
    const lines = (await json.exited).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { verified: boolean; event_error: unknown });
    expect(lines[0]).toMatchObject({ verified: true, event_error: { code: 'unknown_type', path: 'type' } });
    expect(lines[1]).toMatchObject({ verified: true, event_error: null });
  });

  it('--reject-invalid rows keep the event type, id, summary, verdict and hints', async () => {
    const cli = listen(['--reject-invalid', '--exit-after', '1']);
    // Signed with a newline the body lost on the way: a hint says so.
    expect((await deliver(await cli.url, EVENT, signed(`${EVENT}\n`))).status).toBe(401);
    const { stdout } = await cli.exited;
    expect(stdout).toMatch(/message\.updated +a056V7R7NmNRjl70 {2}✘ invalid signature \(mismatch\) {2}→ 401$/m);
    expect(stdout).toContain('KevinMcCallister: “Keep the change 🎄”');
    expect(stdout).toContain('the signature does not match the body');
    expect(stdout).toMatch(/hint: .*newline/);
  });
});
