// Issue 18, "HTTPS apps": a development server's own certificate, trusted with --ca or (loopback
// only) not checked with --insecure, for send, scenario run, check, replay and listen --forward-to.
// A real https server on 127.0.0.1 port 0 with a self-signed certificate for localhost (a test
// fixture made once with openssl, valid until 2126; its key protects nothing).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooks } from '../src/receive/adapters.js';
import { listenEach, runCli, tempConfigHome } from './helpers/cli.js';

const SECRET = 'tls-test-secret-18';
const CA = fileURLToPath(new URL('./fixtures/tls/localhost.pem', import.meta.url));
const KEY = fileURLToPath(new URL('./fixtures/tls/localhost-key.pem', import.meta.url));
const env = { env: { OBLIC_WEBHOOK_SECRET: SECRET } };

let servers: Server[] = [];
afterEach(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

/** An https endpoint made with createWebhooks, on its self-signed certificate; counts what it handled. */
async function httpsApp(maxBody?: number): Promise<{ url: string; handled: string[] }> {
  const handled: string[] = [];
  const webhooks = createWebhooks({ secrets: SECRET, ...(maxBody ? { maxBody } : {}) }).on(
    '*',
    (event) => void handled.push(event.id),
  );
  const server = createServer({ cert: readFileSync(CA), key: readFileSync(KEY) }, webhooks.node());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://localhost:${(server.address() as AddressInfo).port}/webhooks`, handled };
}

describe('an https app with its own certificate', () => {
  it('without --ca: one line naming --ca and --insecure, exit 1, nothing delivered', async () => {
    const app = await httpsApp();
    const run = await runCli(['send', 'message.created', '--to', app.url], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /TLS failed with .*self[- ]signed certificate.*; to trust it, pass --ca <its certificate file> \(or --insecure, for a loopback target only\)/,
    );
    expect(app.handled).toEqual([]);
  });

  it('--ca trusts it for send, scenario run and check; check passes every probe', async () => {
    const app = await httpsApp();
    expect((await runCli(['send', 'all', '--to', app.url, '--ca', CA], env)).code).toBe(0);
    expect(app.handled).toHaveLength(15);
    expect((await runCli(['scenario', 'run', 'contact', '--to', app.url, '--ca', CA], env)).code).toBe(0);
    // Generous timing: 50 TLS handshakes at once on a loaded 2-core machine once missed the defaults.
    const check = await runCli(['check', app.url, '--ca', CA, '--json', '--timeout', '30s', '--deadline', '30s'], env);
    expect(check.stdout.trim().split('\n').at(-1)).toMatch(/"kind":"summary".*"ok":true/);
    expect(check.code).toBe(0);
    // A failing run's re-run line carries --ca, or it would not reach the endpoint at all.
    const small = await httpsApp(100_000); // large-event fails (413), the rest passes
    const failing = await runCli(['check', small.url, '--ca', CA, '--seed', '3'], env);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(
      /oblic-hooks check '?https:\/\/localhost:\d+\/webhooks'? --seed 3 .*--ca \S*localhost\.pem/,
    );
  });

  it('--insecure skips the check for a loopback target only, and says so', async () => {
    const app = await httpsApp();
    const run = await runCli(['send', 'group.created', '--to', app.url, '--insecure'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: --insecure: the certificate of https:\/\/localhost:\d+ is not checked/);
    expect(app.handled).toHaveLength(1);
    const far = await runCli(['send', 'group.created', '--to', 'https://example.com/hooks', '--insecure'], env);
    expect([far.code, far.stderr]).toEqual([
      2,
      'oblic-hooks: --insecure is for a loopback target only (localhost, 127.0.0.1, ::1), not example.com: pass --ca <its certificate file> instead\n',
    ]);
  });

  it('a --ca that is missing or not a certificate, or for an http target: exit 2 before sending', async () => {
    const dir = tempConfigHome();
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const cases = [
      [['--to', 'https://localhost:1/x', '--ca', join(dir, 'nope.pem')], /^oblic-hooks: cannot read --ca .*nope\.pem/],
      [['--to', 'https://localhost:1/x', '--ca', notPem], /is not a PEM certificate/],
      [
        ['--to', 'http://localhost:1/x', '--ca', CA],
        /--ca is for an https target; --to http:\/\/localhost:1\/x is plain http/,
      ],
      [['--to', 'https://localhost:1/x', '--ca', CA, '--ca', CA], /--ca is given twice/],
    ] as const;
    for (const [args, message] of cases) {
      const run = await runCli(['send', 'message.created', ...args], env);
      const check = await runCli(['check', args[1], ...args.slice(2)], env);
      expect([check.code, check.stderr]).toEqual([2, expect.stringMatching(message)]);
      expect(check.stderr.split('\n')).toHaveLength(2);
      // Refused before the secret is read: the one line is all it says.
      expect([run.code, run.stderr.split('\n').length]).toEqual([2, 2]);
      expect(run.stderr).toMatch(message);
    }
  });

  it('replay and listen --forward-to take --ca too', async () => {
    const app = await httpsApp();
    const listen = listenEach({ OBLIC_WEBHOOK_SECRET: SECRET });
    const cli = listen(['--forward-to', app.url, '--ca', CA]);
    const url = await cli.url;
    expect((await runCli(['send', 'attachment.created', '--to', url], env)).code).toBe(0);
    expect(app.handled).toHaveLength(1);
    const capture = join(tempConfigHome(), 'one.http');
    writeFileSync(capture, (await runCli(['send', 'contact.created', '--dry-run', '--to', app.url], env)).stdout);
    expect((await runCli(['replay', capture, '--to', app.url, '--ca', CA], env)).code).toBe(0);
    expect(app.handled).toHaveLength(2);
  });
});
