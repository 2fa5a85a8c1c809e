// Scenarios with real delivery behaviour (issue 16): duplicates, reordering and retries of the
// identical bytes, waits on a scaled clock, and `listen` marking every duplicate it receives.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { serveEach, type TestServer } from './helpers/server.js';

const SECRET = 'scenario-behaviour-secret-16';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const serve = serveEach();
const ok = () => serve((_request, response) => response.writeHead(204).end());
const run = (server: TestServer, ...args: string[]) =>
  runCli(['scenario', 'run', ...args, '--to', String(server.port), '--seed', '5'], { env });
const bodies = (server: TestServer) =>
  server.received.map((request) => `${request.headers['x-oblic-signature']} ${request.body.toString('base64')}`);

describe('scenario run with delivery behaviour', () => {
  it('--duplicate 1: every event twice, byte for byte, marked dup', async () => {
    const [plain, doubled] = await Promise.all([ok(), ok()]);
    await run(plain, 'conversation');
    const result = await run(doubled, 'conversation', '--duplicate', '1');
    expect(result.code).toBe(0);
    expect(bodies(doubled)).toEqual(bodies(plain).flatMap((body) => [body, body]));
    expect(result.stdout.match(/ {2}dup$/gm)).toHaveLength(bodies(plain).length);
  });

  it('--reorder: every event once, in another order, the same for the same seed', async () => {
    const [plain, a, b] = await Promise.all([ok(), ok(), ok()]);
    await run(plain, 'everything');
    await run(a, 'everything', '--reorder', '3');
    await run(b, 'everything', '--reorder', '3');
    expect([...bodies(a)].sort()).toEqual([...bodies(plain)].sort());
    expect(bodies(a)).not.toEqual(bodies(plain));
    expect(bodies(b)).toEqual(bodies(a));
  });

  it('--reorder never delivers an event before it happened: a window goes out once its last event has', async () => {
    const [plain, moved] = await Promise.all([ok(), ok()]);
    const times = async (server: TestServer, ...args: string[]) => {
      const result = await run(server, 'conversation', '--json', ...args);
      const lines = result.stdout
        .trim()
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line) as { id: string; simulated_at: string });
      return new Map(lines.map((line) => [line.id, Date.parse(line.simulated_at)]));
    };
    const [happened, delivered] = [await times(plain), await times(moved, '--reorder', '3')];
    expect([...delivered.keys()].sort()).toEqual([...happened.keys()].sort());
    for (const [id, at] of delivered) expect(at).toBeGreaterThanOrEqual(happened.get(id)!);
    // and the clock ends where it would without --reorder
    expect(Math.max(...delivered.values())).toBe(Math.max(...happened.values()));
  });

  it('-H and --concurrency apply as for send; --duplicate-later alone is a usage error', async () => {
    const server = await ok();
    const result = await run(server, 'contact', '-H', 'x-test: 1', '-c', '2');
    expect(result.code).toBe(0);
    expect(server.received.every((request) => request.headers['x-test'] === '1')).toBe(true);
    const later = await run(server, 'contact', '--duplicate-later');
    expect(later.code).toBe(2);
    expect(later.stderr).toContain('--duplicate-later says where repeats go; give --duplicate <p> too');
  });

  it('--retry-schedule: an endpoint that fails each event twice gets it the third time', async () => {
    const seen = new Map<string, number>();
    const server = await serve((request, response) => {
      const n = (seen.get(request.body.toString()) ?? 0) + 1;
      seen.set(request.body.toString(), n);
      response.writeHead(n < 3 ? 503 : 204).end();
    });
    const result = await run(server, 'contact', '--retry-schedule', '0,0', '--json');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const summary = lines.at(-1);
    expect(summary).toMatchObject({ kind: 'summary', no_2xx: 0, ok: true });
    expect(summary.retries).toBe(2 * summary.events);
    expect(lines.filter((line) => line.attempt === 3 && line.status === 204)).toHaveLength(summary.events);
  });

  it('--time-scale sleeps through a wait, scaled; without it a wait is only shown', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-scenario-')), 'wait.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'wait',
        description: 'a contact, two seconds, another',
        steps: [{ event: 'contact.created' }, { wait: '2s' }, { event: 'contact.created' }],
      }),
    );
    const arrivals: number[] = [];
    const server = await serve((_request, response) => {
      arrivals.push(performance.now());
      response.writeHead(204).end();
    });
    const result = await run(server, file, '--time-scale', '0.1', '--json');
    const [first, second] = result.stdout
      .split('\n')
      .map((line) => line && (JSON.parse(line) as { simulated_at: string }));
    // The simulated gap: the wait's 2 s and the step's own advance of the clock.
    const simulated =
      Date.parse((second as { simulated_at: string }).simulated_at) -
      Date.parse((first as { simulated_at: string }).simulated_at);
    expect(simulated).toBeGreaterThanOrEqual(2000);
    const gap = arrivals[1]! - arrivals[0]!;
    // A tenth of it in real time: at least that (a timer never fires early), and within 20%.
    expect(gap).toBeGreaterThanOrEqual(simulated * 0.1 - 5);
    expect(gap).toBeLessThan(simulated * 0.1 * 1.2);
    const shown = await run(await ok(), file);
    expect(shown.stdout.split('\n')[1]).toMatch(/^\+00:00:0[2-6]\.\d{3} /);
  });
});

describe('scenario files: two more mistakes named', () => {
  const fileOf = (steps: unknown[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-scenario-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', description: 'mistakes', steps }));
    return file;
  };

  it.each([
    [[{ event: 'contact.created', wait: '1s' }], 'steps[0]: has both "event" and "wait"; a step is one or the other'],
    [
      [
        { event: 'contact.created', as: 'c' },
        { event: 'contact.updated', set: { 'payload.id': '${c.payload.id' } },
      ],
      'steps[1].set.payload.id: "${c.payload.id" opens a reference with ${ and never closes it',
    ],
  ])('%j: exit 2 with the path and what is wrong', async (steps, message) => {
    const result = await runCli(['scenario', 'run', fileOf(steps), '--to', '9'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('scenario run into listen', () => {
  it('listen marks every duplicate it receives as a duplicate of the same bytes', async () => {
    const listen = startCli(['listen', '--port', '0', '--json'], { env });
    const url = await listen.url;
    const result = await runCli(['scenario', 'run', 'contact', '--to', url, '--seed', '9', '--duplicate', '1'], {
      env,
    });
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').length;
    const lines = (await listen.lines(events)).map((line) => JSON.parse(line) as { duplicate_of: unknown });
    listen.signal('SIGINT');
    await listen.exited;
    expect(lines.map((line) => line.duplicate_of === null)).toEqual(
      Array.from({ length: events }, (_, i) => i % 2 === 0),
    );
    for (const line of lines.filter((_, i) => i % 2 === 1))
      expect(line.duplicate_of).toMatchObject({ same_bytes: true });
  });
});
