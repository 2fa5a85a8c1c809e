// `oblic-hooks check` as a process (issue 15): exit codes, what goes to stdout and stderr, the JUnit
// file, --verbose, colour and escaping. The real built binary against real servers on 127.0.0.1.
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GROUPS, PROBES } from '../src/check/probes.js';
import { spawnCli, startCli } from './helpers/cli.js';
import { BROKEN_ENDPOINTS, RIGHT_ENDPOINT } from './helpers/endpoints.js';
import { serveEach, startServer } from './helpers/server.js';

const SECRET = 'check-cli-secret-0002';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };

const serve = serveEach();

const brokenBy = (bug: string) => BROKEN_ENDPOINTS.find((endpoint) => endpoint.bug.startsWith(bug))!;

describe('oblic-hooks check, the process', () => {
  it('nothing listening at the URL: one line on stderr, nothing on stdout, exit 1', async () => {
    const gone = await startServer();
    await gone.close();
    const run = await spawnCli(['check', `${gone.port}/webhooks`], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `oblic-hooks: nothing is listening at http://localhost:${gone.port}/webhooks; start your app, or point the URL at it`,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(3); // signing with …, checking …, the error
  });

  it('an app that answers nothing: one line once the first requests time out, exit 1', async () => {
    const server = await serve(() => {}); // takes every request and never answers
    const run = await spawnCli(['check', `${server.port}/webhooks`, '--timeout', '300ms'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `oblic-hooks: no complete response from http://localhost:${server.port}/webhooks within 300 ms; raise --timeout or make the app answer sooner`,
    );
    // The first probes' first requests, not the hundred of the run.
    expect(server.received.length).toBeLessThanOrEqual(12);
  });

  it('Ctrl-C stops the run at once, without waiting for pending answers: one line, exit 130', async () => {
    let first: () => void = () => {};
    const received = new Promise<void>((resolve) => {
      first = resolve;
    });
    const server = await serve(() => first()); // takes every request and never answers
    const running = startCli(['check', `${server.port}/webhooks`], { env });
    await received;
    running.signal('SIGINT');
    const run = await running.exited;
    expect(run.code).toBe(130);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^oblic-hooks: interrupted after 0 deliveries, before every probe was graded: no report$/,
    );
    expect(run.ms).toBeLessThan(10_000); // not the --timeout of the pending requests
  });

  it.each([
    [['check'], 'name the endpoint to check'],
    [['check', 'ftp://example.com/'], 'uses ftp; only http and https URLs'],
    [['check', 'http//localhost:3000/webhooks'], 'http must be followed by "://"; try http://localhost:3000/webhooks'],
    [['check', 'http:3000/webhooks'], 'http must be followed by "://"; try http://localhost:3000/webhooks'],
    [['check', '3000', '--junit', '/nonexistent-dir/x.xml'], 'the folder /nonexistent-dir does not exist'],
    [['check', '3000', '--only', 'signatrues'], 'did you mean signatures?'],
    [['check', '3000', '--only', ''], '--only names no probe'],
    [['check', '3000', '--only', 'sig'], '--only "sig" is not a probe or a group; did you mean signatures?'],
    [['check', '3000', '--skip', 'deliveries,signatures,robustness,compatibility'], 'leave no probe to run'],
    [['check', '3000', '--deadline', '0'], '--deadline must be above 0'],
    [['check', '3000', '--secret', ''], '--secret is empty'],
    [
      ['check', '3000', '--junit', '/nonexistent-dir/check.xml'],
      'cannot write the JUnit report /nonexistent-dir/check.xml',
    ],
    [['check', '--list', '--only', 'signatures'], 'cannot be used with option'],
  ])('usage error %j: one line, exit 2, nothing sent', async (args, message) => {
    const run = await spawnCli(args, { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--help names every probe and group, with examples and exit codes', async () => {
    const run = await spawnCli(['check', '--help']);
    expect(run.code).toBe(0);
    for (const name of [...PROBES.map((probe) => probe.id), ...GROUPS]) expect(run.stdout).toContain(name);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toMatch(/Exit codes: 0 no probe failed.*1 a probe failed/s);
  });

  it('--list prints every probe, and --list --json one object per probe', async () => {
    const text = await spawnCli(['check', '--list']);
    for (const probe of PROBES) expect(text.stdout).toContain(probe.id);
    const json = await spawnCli(['check', '--list', '--json']);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.id)).toEqual(PROBES.map((probe) => probe.id));
    expect(Object.keys(lines[0])).toEqual(['id', 'group', 'title', 'sends']);
  });

  it('the report card: a mark per probe, the failure expanded with what was sent, what came back and the fix', async () => {
    const server = await serve(brokenBy('never verifies').reply(SECRET));
    const run = await spawnCli(['check', `${server.port}/webhooks`, '--seed', '5'], { env });
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => /^[✓✗!] /.test(line))).toHaveLength(13);
    expect(lines).toContainEqual(
      expect.stringMatching(/^✗ rejects-missing-signature +[\d.]+ m?s {2}refuses a delivery with no signature$/),
    );
    const at = lines.findIndex((line) => line.startsWith('✗ rejects-missing-signature'));
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '    answered 204',
      expect.stringMatching(/^ {4}sent no signature · message\.created [A-Za-z0-9]{16} · no x-oblic-signature header$/),
      expect.stringMatching(/^ {4}got {2}204 No Content [\d.]+ m?s$/),
      expect.stringMatching(/^ {4}fix {2}the endpoint takes events nobody signed/),
    ]);
    expect(lines.at(-2)).toMatch(/^13 probes: 9 passed, 4 failed, 0 warned · 97 deliveries in [\d.]+ m?s · seed 5$/);
    expect(run.stderr).toContain(
      `the same bodies again: oblic-hooks check ${server.port}/webhooks --seed 5 --only rejects-missing-signature,rejects-wrong-secret,rejects-tampered-body,rejects-malformed-signature`,
    );
    expect(run.stdout).not.toContain('\x1b['); // not a terminal: no colour
  });

  it('--json: only JSON lines on stdout, a probe each then the summary; talk on stderr', async () => {
    const server = await serve(RIGHT_ENDPOINT.reply(SECRET));
    const run = await spawnCli(['check', `${server.port}/webhooks`, '--json', '--only', 'signatures'], { env });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.kind)).toEqual(['probe', 'probe', 'probe', 'probe', 'probe', 'summary']);
    expect(Object.keys(lines[0])).toEqual([
      'kind',
      'id',
      'group',
      'title',
      'verdict',
      'detail',
      'fix',
      'ms',
      'requests',
    ]);
    expect(Object.keys(lines[0].requests[0])).toEqual([
      'probe',
      'label',
      'type',
      'id',
      'change',
      'status',
      'ms',
      'expected',
      'error',
      'body',
    ]);
    expect(run.stderr).toMatch(/^signing with \$OBLIC_WEBHOOK_SECRET/m);
  });

  it('--junit writes one testcase per probe, a <failure> for each failed one, escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-junit-'));
    const server = await serve(brokenBy('answers 500 to a duplicate').reply(SECRET));
    const run = await spawnCli(['check', `${server.port}/webhooks`, '--junit', join(dir, 'check.xml')], { env });
    expect(run.code).toBe(1);
    const xml = readFileSync(join(dir, 'check.xml'), 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="oblic-hooks check" tests="13" failures="1"/,
    );
    expect(xml.match(/<testcase /g)).toHaveLength(13);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toMatch(
      /<testcase classname="oblic-hooks.check.deliveries" name="handles-duplicates: [^"]+" time="[\d.]+">\n {6}<failure message="the endpoint fails a repeated delivery \(500\)/,
    );
    expect(xml).toContain('{&quot;error&quot;:'); // the response body, escaped
  });

  it('--junit on a run that could not be made: one <error> testcase in place of the old file, nothing partial left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-junit-'));
    const path = join(dir, 'check.xml');
    writeFileSync(path, 'the report of an earlier run');
    const gone = await startServer();
    await gone.close();
    const run = await spawnCli(['check', `${gone.port}/webhooks`, '--junit', path], { env });
    expect(run.code).toBe(1);
    const xml = readFileSync(path, 'utf8');
    // The error, and the thirteen probes as not run.
    expect(xml).toContain('<testsuites name="oblic-hooks check" tests="14" failures="0" errors="1"');
    expect(xml.match(/<skipped message="not run: nothing is listening/g)).toHaveLength(13);
    expect(xml).toContain(
      `<error message="nothing is listening at http://localhost:${gone.port}/webhooks; start your app, or point the URL at it"/>`,
    );
    expect(readdirSync(dir)).toEqual(['check.xml']);
  });

  it('--junit when the control delivery stops the run: an <error> with the one line, and the probes not run as <skipped>', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-junit-'));
    const server = await serve((_request, response) => response.writeHead(401).end());
    const run = await spawnCli(
      ['check', `${server.port}/webhooks`, '--only', 'signatures', '--junit', join(dir, 'check.xml')],
      { env },
    );
    expect(run.code).toBe(1);
    const xml = readFileSync(join(dir, 'check.xml'), 'utf8');
    expect(xml).toContain('tests="6" failures="0" errors="1"');
    expect(xml).toMatch(
      /<error message="the control delivery \(a validly signed message\.created\) answered 401, so no probe was run: every validly signed event was refused/,
    );
    // Named as they are when they run, so CI keeps one history per probe.
    expect(xml).toMatch(
      /<testcase classname="oblic-hooks.check.signatures" name="rejects-wrong-secret: refuses a signature made with another secret" time="0.000">\n {6}<skipped message="not run: the control delivery/,
    );
  });

  it('--junit when the app goes away part way: an <error> with the one line, beside the probes that ran', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-junit-'));
    const right = RIGHT_ENDPOINT.reply(SECRET);
    let server: Awaited<ReturnType<typeof serve>> | undefined;
    server = await serve((request, response, index) => {
      if (index < 15) return right(request, response, index);
      response.socket?.destroy(); // goes down on handles-duplicates's first delivery
      void server?.close();
    });
    const only = 'accepts-every-type,handles-duplicates';
    const run = await spawnCli(
      ['check', `${server.port}/webhooks`, '--only', only, '--junit', join(dir, 'check.xml')],
      { env },
    );
    expect(run.code).toBe(1);
    const xml = readFileSync(join(dir, 'check.xml'), 'utf8');
    expect(xml).toContain('tests="3" failures="0" errors="1"');
    expect(xml).toMatch(/<error message="the app stopped listening part way \(ECONNREFUSED\)/);
    expect(xml).toMatch(/name="accepts-every-type: accepts each of the 15 event types" time="[\d.]+"\/>/);
    expect(xml).toMatch(
      /name="handles-duplicates: [^"]+" time="0.000">\n {6}<skipped message="not run: the app stopped listening/,
    );
  });

  it('--junit through a symbolic link replaces the file it points at, keeps the link and the mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-junit-'));
    mkdirSync(join(dir, 'reports'));
    writeFileSync(join(dir, 'reports', 'real.xml'), '<old/>', { mode: 0o600 });
    symlinkSync(join(dir, 'reports', 'real.xml'), join(dir, 'link.xml'));
    const server = await serve(RIGHT_ENDPOINT.reply(SECRET));
    const run = await spawnCli(
      ['check', `${server.port}/webhooks`, '--only', 'rejects-wrong-secret', '--junit', join(dir, 'link.xml')],
      { env },
    );
    expect(run.code).toBe(0);
    expect(lstatSync(join(dir, 'link.xml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'reports', 'real.xml'), 'utf8')).toContain(
      '<testcase classname="oblic-hooks.check.signatures" name="rejects-wrong-secret',
    );
    expect(statSync(join(dir, 'reports', 'real.xml')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'reports'))).toEqual(['real.xml']);
  });

  it('SIGTERM (a CI timeout) stops the run at once with 143, and --junit says it was cut short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-junit-'));
    writeFileSync(join(dir, 'check.xml'), '<old/>');
    let first: () => void = () => {};
    const received = new Promise<void>((resolve) => {
      first = resolve;
    });
    const server = await serve(() => first()); // takes every request and never answers
    const running = startCli(['check', `${server.port}/webhooks`, '--junit', join(dir, 'check.xml')], { env });
    await received;
    running.signal('SIGTERM');
    const run = await running.exited;
    expect(run.code).toBe(143);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      'oblic-hooks: terminated after 0 deliveries, before every probe was graded: no report',
    );
    expect(readFileSync(join(dir, 'check.xml'), 'utf8')).toContain('<error message="terminated after 0 deliveries');
    expect(readdirSync(dir)).toEqual(['check.xml']);
  });

  it('the re-run line carries the flags that made the grade, never the secret', async () => {
    const server = await serve(brokenBy('refuses an unknown type').reply(SECRET));
    const run = await spawnCli(
      ['check', `${server.port}/webhooks`, '--strict', '--deadline', '2s', '--secret', SECRET, '--seed', '9'],
      { env: {} },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `the same bodies again: oblic-hooks check ${server.port}/webhooks --seed 9 --only tolerates-unknown-type --deadline 2s --strict (and your --secret)`,
    );
    expect(run.stderr).not.toContain(`--secret ${SECRET}`);
    const slow = await serve(brokenBy('answers in').reply(SECRET));
    const again = await spawnCli(
      ['check', `${slow.port}/webhooks`, '--deadline', '40ms', '--skip', 'handles-burst', '--seed', '3'],
      { env },
    );
    // answers-in-time grades what the others sent: they all run again, as --skip chose them.
    expect(again.stderr).toContain(
      `the same bodies again: oblic-hooks check ${slow.port}/webhooks --seed 3 --skip handles-burst --deadline 40ms\n`,
    );
  });

  it('--verbose prints every request and response on stderr, and the report is the same', async () => {
    const server = await serve(RIGHT_ENDPOINT.reply(SECRET));
    const run = await spawnCli(['check', `${server.port}/webhooks`, '--verbose', '--only', 'rejects-wrong-secret'], {
      env,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^→ rejects-wrong-secret · another secret · POST \/webhooks \([\d.]+ k?B\)$/m);
    expect(run.stderr).toMatch(/^ {4}x-oblic-signature: [0-9a-f]{64}$/m);
    expect(run.stderr).toMatch(/^← 401 [\d.]+ m?s$/m);
    expect(run.stdout).toMatch(/^✓ rejects-wrong-secret/);
  });

  it('colour on request (FORCE_COLOR), and what the endpoint answered is escaped before it reaches the terminal', async () => {
    const server = await serve((_request, response) => response.writeHead(500).end('\x1b]52;c;aGVsbG8=\x07 boom'));
    const run = await spawnCli(['check', `${server.port}/webhooks`, '--only', 'accepts-every-type'], {
      env: { ...env, FORCE_COLOR: '1' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('\x1b[31m✗\x1b[39m');
    expect(run.stdout).toContain('\\x1b]52;c;aGVsbG8=\\x07 boom');
    expect(run.stdout).not.toContain('\x1b]52');
  });
});
