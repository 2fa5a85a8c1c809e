// Issue 17: the README's createWebhooks examples, each run as written in its own Node process, as a
// user would run it, then sent real traffic: `send all`, a scenario with every delivery twice,
// `check`, and hostile requests. Each example logs "received <type> <id>" from its '*' handler, so
// the test sees how often the handlers ran.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { post } from './helpers/deliver.js';
import { readmeExample, startExample, writeExample, type RunningExample } from './readme-examples.js';

const SECRET = 'webhooks-examples-secret-17';
const MiB = 1024 * 1024;
const sig = (bytes: Buffer | string, secret = SECRET) => createHmac('sha256', secret).update(bytes).digest('hex');
const env = { env: { OBLIC_WEBHOOK_SECRET: SECRET } };

let children: RunningExample[] = [];
afterEach(() => {
  for (const example of children) example.child.kill();
  children = [];
});

/** The Next.js route served as a Web handler, as a Web Request runtime serves it (here @hono/node-server). */
function nextRunner(): string {
  writeExample('next-route.mjs', readmeExample('next'));
  return [
    "import { serve } from '@hono/node-server';",
    "import { POST } from './next-route.mjs';",
    '',
    'const fetch = (request) =>',
    "  new URL(request.url).pathname === '/webhooks' && request.method === 'POST' ? POST(request) : new Response(null, { status: 404 });",
    "serve({ fetch, port: Number(process.env.PORT) }, (info) => console.log('listening on', info.port));",
    '',
  ].join('\n');
}

const EXAMPLES: Array<[string, () => string]> = [
  ['express', () => readmeExample('express')],
  // The Express example also runs under Express 4, installed as the alias express4.
  ['express4', () => readmeExample('express').replace("from 'express'", "from 'express4'")],
  ['next', nextRunner],
  ['hono', () => readmeExample('hono')],
  ['fastify', () => readmeExample('fastify')],
  ['koa', () => readmeExample('koa')],
  ['node', () => readmeExample('node')],
];

/** How many times the handlers ran for each event id, from the example's "received" lines. */
function runsById(output: string): Map<string, number> {
  const runs = new Map<string, number>();
  for (const [, id] of output.matchAll(/^received [a-z]+\.[a-z]+ ([A-Za-z0-9]{16})$/gm))
    runs.set(id!, (runs.get(id!) ?? 0) + 1);
  return runs;
}

const idsOf = (ndjson: string) =>
  ndjson
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind?: string; id?: string })
    .filter((line) => line.kind === undefined)
    .map((line) => line.id!);

describe('the README createWebhooks examples, run as written', () => {
  it.each(EXAMPLES)(
    '%s: send all, a scenario sent twice over, check and hostile requests; each event handled once',
    async (name, code) => {
      const app = await startExample(`webhooks-${name}.mjs`, code(), SECRET);
      children.push(app);
      const target = `${app.port}/webhooks`;

      const sent = await runCli(['send', 'all', '--to', target, '--json'], env);
      expect(sent.code).toBe(0);
      const scenario = await runCli(
        ['scenario', 'run', 'everything', '--duplicate', '1', '--seed', '17', '--to', target, '--json'],
        env,
      );
      expect(scenario.code).toBe(0);
      const scenarioIds = idsOf(scenario.stdout);
      expect(scenarioIds.length).toBe(2 * new Set(scenarioIds).size); // every delivery went twice

      const check = await runCli(['check', target, '--json'], env);
      const probes = check.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { kind: string; id: string; verdict: string });
      expect(probes.filter((p) => p.kind === 'probe')).toHaveLength(13);
      expect(probes.filter((p) => p.verdict === 'fail' || p.verdict === 'warn').map((p) => p.id)).toEqual([]);
      expect(check.code).toBe(0);

      // The handlers ran for every event sent, and once only, duplicates and check's repeats included.
      const expected = [...new Set([...idsOf(sent.stdout), ...scenarioIds])];
      await app.until((out) => expected.every((id) => runsById(out).has(id)));
      const runs = runsById(app.output());
      expect([...runs.values()].filter((count) => count !== 1)).toEqual([]);
      expect(runs.size).toBeGreaterThan(expected.length); // check's own events were handled too

      // Hostile requests: each gets its answer, and the app stays up.
      const port = Number(app.port);
      const body = Buffer.from('{"id":"aaaaaaaaaaaaaaaa","type":"message.created"');
      const text = { 'content-type': 'text/plain', 'x-oblic-signature': sig('other') };
      expect((await post(port, text, [body])).status).toBe(401);
      expect((await post(port, { 'content-length': '0' }, [])).status).toBe(401);
      expect(
        (await post(port, { 'content-type': 'application/json', 'x-oblic-signature': sig(body) }, [body])).status,
      ).toBe(400);
      const endless = await post(
        port,
        { 'content-type': 'application/json', 'x-oblic-signature': sig('x') },
        [Buffer.alloc(MiB), Buffer.alloc(MiB)],
        false,
      );
      expect(endless.status).toBe(413);
      expect(JSON.parse(endless.text)).toEqual({ error: expect.stringMatching(/over maxBody/) });
      expect((await runCli(['send', 'message.created', '--to', target], env)).code).toBe(0);
      expect(app.alive()).toBe(true);
    },
  );
});

describe("the README's handler test, run as written", () => {
  it('passes its asserts with a body from send --dry-run, and fails them when the handler runs twice', async () => {
    const dryRun = await runCli(['send', 'message.created', '--dry-run', '--seed', '1'], env);
    expect(dryRun.code).toBe(0);
    writeExample('message.created.json', `${dryRun.stdout.trim().split('\n').at(-1)}`);
    const run = (code: string) =>
      spawnSync(process.execPath, [writeExample('test-handlers.mjs', code)], { encoding: 'utf8' });
    const ok = run(readmeExample('test-handlers'));
    expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, 'handlers ok\n', '']);
    // The same asserts catch an endpoint that runs a retry again.
    const twice = run(
      readmeExample('test-handlers').replace('{ secrets: [secret] }', '{ secrets: [secret], idempotency: false }'),
    );
    expect(twice.status).toBe(1);
    expect(twice.stderr).toMatch(/AssertionError/);
  });
});
