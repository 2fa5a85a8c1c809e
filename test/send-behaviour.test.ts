// Real delivery behaviour for send (issue 16): --duplicate, --reorder, --retry-schedule and
// --time-scale, against real servers on 127.0.0.1, and the arrangement on its own.
import { describe, expect, it } from 'vitest';
import { arrange, type Planned } from '../src/send/arrange.js';
import { meets } from '../src/wire/status.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { serveEach } from './helpers/server.js';

const SECRET = 'behaviour-secret-0016';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const serve = serveEach();
const ok = () => serve((_request, response) => response.writeHead(204).end());
const send = (port: number, ...args: string[]) => runCli(['send', ...args, '--to', String(port)], { env });
const delivered = (server: Awaited<ReturnType<typeof ok>>) =>
  server.received.map((request) => `${request.headers['x-oblic-signature']} ${request.body.toString('base64')}`);

const planned = (n: number): Planned[] =>
  Array.from({ length: n }, (_, i) => ({
    body: { type: 'message.created', id: `id${i}`, bytes: Buffer.from(String(i)) },
    step: null,
    waitMs: 0,
    expect: null,
  }));

describe('arrange', () => {
  const order = (slots: ReturnType<typeof arrange>) => slots.map((slot) => slot.index);

  it('--reorder shuffles within windows of n, keeps every delivery once, and the seed decides', () => {
    const options = { duplicate: 0, duplicateLater: false, reorder: 4, seed: 7 };
    const a = order(arrange(planned(40), options));
    expect(a).toEqual(order(arrange(planned(40), options)));
    expect(a).not.toEqual(order(arrange(planned(40), { ...options, seed: 8 })));
    expect([...a].sort((x, y) => x - y)).toEqual(planned(40).map((_, i) => i));
    expect(a).not.toEqual(planned(40).map((_, i) => i));
    for (const [at, index] of a.entries()) expect(Math.floor(index / 4)).toBe(Math.floor(at / 4));
    expect(order(arrange(planned(10), { ...options, reorder: 1 }))).toEqual(planned(10).map((_, i) => i));
  });

  it('--duplicate 1 sends each delivery exactly twice, right after; --duplicate-later puts the second later', () => {
    const twice = arrange(planned(10), { duplicate: 1, duplicateLater: false, reorder: 1, seed: 1 });
    expect(order(twice)).toEqual(planned(10).flatMap((_, i) => [i, i]));
    expect(twice.filter((slot) => slot.duplicate).map((slot) => slot.index)).toEqual(planned(10).map((_, i) => i));
    const laterSlots = arrange(planned(10), { duplicate: 1, duplicateLater: true, reorder: 1, seed: 1 });
    const later = order(laterSlots);
    for (let i = 0; i < 10; i++) expect(later.filter((index) => index === i)).toHaveLength(2);
    expect(later).not.toEqual(order(twice));
    // The originals keep their order, and each one's repeat comes after it.
    expect(laterSlots.filter((slot) => !slot.duplicate).map((slot) => slot.index)).toEqual(
      planned(10).map((_, i) => i),
    );
    for (let i = 0; i < 10; i++) {
      const places = laterSlots.flatMap((slot, at) => (slot.index === i ? [[at, slot.duplicate] as const] : []));
      expect(places[0]![1]).toBe(false);
      expect(places[1]![1]).toBe(true);
      expect(places[1]![0]).toBeGreaterThan(places[0]![0]);
    }
  });
});

describe('meets', () => {
  it('no expectation is a 2xx; 2xx, 4xx and 5xx are classes; anything else one status; no answer meets none', () => {
    expect([200, 204, 301, 401, 500, null].map((status) => meets(null, status))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect([204, 401, 422, 503].map((status) => meets('4xx', status))).toEqual([false, true, true, false]);
    expect([401, 403].map((status) => meets('401', status))).toEqual([true, false]);
    expect(meets('5xx', null)).toBe(false);
  });
});

describe('send with delivery behaviour', () => {
  it('--duplicate 1: each delivery arrives exactly twice, identical bytes and signature', async () => {
    const server = await ok();
    const run = await send(server.port, 'all', '--duplicate', '1', '--seed', '3');
    expect(run.code).toBe(0);
    const bodies = delivered(server);
    expect(bodies).toHaveLength(30);
    for (const body of new Set(bodies)) expect(bodies.filter((b) => b === body)).toHaveLength(2);
    expect(run.stdout.match(/ {2}dup$/gm)).toHaveLength(15);
  });

  it('--reorder: everything once, in another order, the same order for the same seed', async () => {
    const [plain, a, b] = await Promise.all([ok(), ok(), ok()]);
    await send(plain.port, 'all', '--seed', '3');
    await send(a.port, 'all', '--seed', '3', '--reorder', '5');
    await send(b.port, 'all', '--seed', '3', '--reorder', '5');
    expect([...delivered(a)].sort()).toEqual([...delivered(plain)].sort());
    expect(delivered(a)).not.toEqual(delivered(plain));
    expect(delivered(a)).toEqual(delivered(b));
  });

  it('--retry-schedule: a receiver that fails the first two attempts gets the third, after the delays scaled', async () => {
    const arrivals: number[] = [];
    const server = await serve((_request, response, index) => {
      arrivals.push(performance.now());
      response.writeHead(index < 2 ? 503 : 204).end();
    });
    const run = await send(
      server.port,
      'message.created',
      '--retry-schedule',
      '2s,4s,30s',
      '--time-scale',
      '0.1',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(new Set(delivered(server)).size).toBe(1); // the identical bytes, three times
    const [first, second, third] = arrivals;
    // 2 s and 4 s at a tenth: 200 and 400 ms (a timer never fires early; within 20% late).
    expect(second! - first!).toBeGreaterThanOrEqual(195);
    expect(second! - first!).toBeLessThan(240);
    expect(third! - second!).toBeGreaterThanOrEqual(395);
    expect(third! - second!).toBeLessThan(480);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const at = (line: { simulated_at: string }) => Date.parse(line.simulated_at) - Date.parse(lines[0].simulated_at);
    expect(lines.slice(0, 3).map((line) => [line.attempt, line.status, at(line)])).toEqual([
      [1, 503, 0],
      [2, 503, 2000],
      [3, 204, 6000],
    ]);
    expect(lines[0].simulated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Object.keys(lines[0])).toEqual([
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
    expect(lines[3]).toMatchObject({ kind: 'summary', events: 1, deliveries: 3, retries: 2, no_2xx: 0, ok: true });
  });

  it('a 4xx is an answer, never retried; an event that never got a 2xx is exit 1', async () => {
    const server = await serve((_request, response) => response.writeHead(401).end());
    const run = await send(server.port, 'message.created', '--retry-schedule', '0,0');
    expect(run.code).toBe(1);
    expect(server.received).toHaveLength(1);
    expect(run.stderr).toContain('oblic-hooks: 1 of 1 event never got a 2xx response');
  });

  it.each([
    [['--duplicate', '1.5'], '--duplicate "1.5" must be a probability from 0 to 1'],
    [['--time-scale', '0'], '--time-scale "0" must be a number above 0'],
    [['--retry-schedule', '5s,,1m'], 'must be up to 20 durations, comma-separated'],
    [['--retry-schedule', 'soon'], '--retry-schedule "soon" is not a duration'],
    [['--reorder', '0'], '--reorder "0" must be a whole number from 1 to 10000'],
    [['--duplicate', '0.5', '--dry-run'], 'delivery behaviour flags need a run that delivers'],
    [['--retry-schedule', '1s', '--retries', '2'], '--retry-schedule gives the delays: give one of them'],
  ])('usage %j is one line and exit 2 (the real binary)', async (flags, message) => {
    const run = await spawnCli(['send', 'message.created', '--to', '9', ...flags], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });
});
