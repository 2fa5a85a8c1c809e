import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtins.js';
import { runCli, spawnCli, startCli } from './helpers/cli.js';
import { serveEach } from './helpers/server.js';

const SECRET = 'scenario-secret-1f0c';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const serve = serveEach();
const accept = () => serve((_request, response) => response.writeHead(200).end('ok'));

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-scenario-')), name);
  writeFileSync(path, text);
  return path;
}

describe('scenario (the real binary)', () => {
  it('show prints a file that run sends byte for byte as the built-in, with the same seed', async () => {
    const shown = await spawnCli(['scenario', 'show', 'conversation']);
    expect(shown.code).toBe(0);
    const file = tempFile('my.json', shown.stdout);
    const byName = await accept();
    const byFile = await accept();
    const a = await spawnCli(['scenario', 'run', 'conversation', '--to', byName.url, '--seed', '11'], { env });
    const b = await spawnCli(['scenario', 'run', file, '--to', byFile.url, '--seed', '11'], { env });
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(byName.received.length).toBe(11);
    expect(byFile.received.map((r) => r.body)).toEqual(byName.received.map((r) => r.body));
    // The same lines too, but for the time each response took.
    const timeless = (stdout: string) => stdout.replace(/ {2}[\d.]+ m?s$/gm, '').replace(/\(real [^)]*\) */g, '');
    expect(timeless(b.stdout)).toBe(timeless(a.stdout));
    expect(timeless(a.stdout).split('\n')[0]).toMatch(
      /^\+00:00:00\.000 contact +contact\.created +[A-Za-z0-9]{16} {2}200$/,
    );
  });

  it('--seed gives identical bytes twice, and another seed other bytes', async () => {
    const runs = await Promise.all([accept(), accept(), accept()]);
    const seeds = ['5', '5', '6'];
    const results = await Promise.all(
      runs.map((server, i) =>
        spawnCli(['scenario', 'run', 'everything', '--to', server.url, '--seed', seeds[i]!], { env }),
      ),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const bodies = runs.map((server) => Buffer.concat(server.received.map((r) => r.body)));
    expect(bodies[0]!.equals(bodies[1]!)).toBe(true);
    expect(bodies[0]!.equals(bodies[2]!)).toBe(false);
  });

  it('run prints one line per delivery on stdout, simulated time first, and a summary on stderr', async () => {
    const server = await accept();
    const result = await spawnCli(['scenario', 'run', 'contact', '--to', server.url, '--seed', '3'], { env });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    // Simulated time, then real time beside it.
    expect(lines[0]).toMatch(
      /^\+00:00:00\.000 \(real [\d.]+ m?s\) +contact +contact\.created +[A-Za-z0-9]{16} {2}200 {2}[\d.]+ ms$/,
    );
    // The step after { "wait": "1h" } is an hour on, in simulated time; the run did not wait for it.
    expect(lines[3]).toMatch(/^\+01:00:0\d\.\d{3} \(real [\d.]+ m?s\) +renamed +contact\.updated/);
    expect(result.ms).toBeLessThan(20_000);
    expect(result.stderr).toMatch(/contact: 7 events, 7 deliveries · every event got a 2xx · seed 3/);
  });

  it('--json: one object per delivery, then a summary object', async () => {
    const server = await accept();
    const result = await spawnCli(['scenario', 'run', 'group', '--to', server.url, '--seed', '3', '--json'], { env });
    expect(result.code).toBe(0);
    const objects = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(objects).toHaveLength(14);
    expect(Object.keys(objects[0]!)).toEqual([
      'step',
      'type',
      'id',
      'attempt',
      'duplicate',
      'reordered',
      'status',
      'ms',
      'simulated_at',
      'real_at',
      'ok',
      'expect',
      'error',
    ]);
    expect(objects[0]).toMatchObject({
      step: 'first',
      type: 'contact.created',
      attempt: 1,
      duplicate: false,
      ok: true,
    });
    expect(objects[0]!.simulated_at).toBe('2026-01-01T00:00:00.000Z');
    expect(objects.at(-1)).toEqual({
      kind: 'summary',
      scenario: 'group',
      events: 13,
      deliveries: 13,
      duplicates: 0,
      retries: 0,
      no_2xx: 0,
      mismatches: 0,
      not_sent: 0,
      real_ms: expect.any(Number),
      simulated_ms: expect.any(Number),
      ok: true,
      seed: 3,
    });
  });

  it('Ctrl-C stops the run with its summary so far and exits 130', async () => {
    // A receiver that answers the first delivery and holds the second: the run is mid-delivery.
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const server = await serve((_request, response, index) => {
      if (index === 0) response.writeHead(200).end();
      else holding();
    });
    const run = startCli(['scenario', 'run', 'contact', '--to', server.url, '--seed', '3'], { env });
    await Promise.all([run.lines(1), held]);
    run.signal('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(130);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      'contact: 7 events, 1 delivery · every event sent got a 2xx · 6 events not sent · seed 3',
    );
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('oblic-hooks: interrupted after 1 of 7 events');
  });

  it('exits 1 with one line when nothing listens', async () => {
    const server = await accept();
    const url = server.url;
    await server.close();
    const result = await spawnCli(['scenario', 'run', 'contact', '--to', url], { env });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^oblic-hooks: nothing is listening at http:\/\/127\.0\.0\.1:\d+\//,
    );
    expect(result.stdout).toBe('');
  });

  it('list shows each built-in on a line; --help of scenario and run have examples and exit codes', async () => {
    const list = await spawnCli(['scenario', 'list']);
    expect(list.code).toBe(0);
    expect(
      list.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(BUILTIN_SCENARIOS.map((s) => s.name));
    const help = await spawnCli(['scenario', '--help']);
    expect(help.stdout).toContain('$ oblic-hooks scenario run conversation --to 3000/webhooks');
    // The names --help writes out are the built-ins.
    expect(help.stdout).toContain(`Built in: ${BUILTIN_SCENARIOS.map((s) => s.name).join(', ')}.`);
    const run = await spawnCli(['scenario', 'run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('$ oblic-hooks scenario run group --to localhost:3000/webhooks --seed 7');
    expect(run.stdout).toContain('Exit codes: 0 every event got a 2xx and every expectation held');
  });
});

describe('scenario (in process)', () => {
  it('list --json is one object per scenario', async () => {
    const result = await runCli(['scenario', 'list', '--json']);
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; steps: number });
    expect(rows.map((row) => row.name)).toEqual(['conversation', 'group', 'contact', 'everything']);
    expect(rows[0]!.steps).toBe(BUILTIN_SCENARIOS[0]!.steps.length);
  });

  it('show of an unknown name exits 2 with the nearest name; run of one too', async () => {
    const show = await runCli(['scenario', 'show', 'convrsation']);
    expect(show.code).toBe(2);
    expect(show.stderr).toBe(
      'oblic-hooks: no built-in scenario named "convrsation"; did you mean conversation? (built in: conversation, group, contact, everything)\n',
    );
    const run = await runCli(['scenario', 'run', 'gruop'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean group?');
  });

  it('show output is JSON that names the scenario and its steps', async () => {
    const result = await runCli(['scenario', 'show', 'everything']);
    const file = JSON.parse(result.stdout) as { name: string; steps: unknown[] };
    expect(file.name).toBe('everything');
    expect(file.steps).toEqual(BUILTIN_SCENARIOS[3]!.steps);
  });
});
