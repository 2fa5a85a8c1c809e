import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningCli, spawnCli, startCli } from './helpers/cli.js';
import { serveEach, signatureOf } from './helpers/server.js';

// Project defaults (issue 18) through the real binary, run in a project directory as a user would:
// the file is found from the current directory upward, flags win over it, it wins over the
// environment, and each value used is said on stderr with the file it came from.

const FILE_SECRET = 'config-file-secret-0123456789';
const ENV_SECRET = 'config-env-secret-9876543210';
const serve = serveEach();

let running: RunningCli[] = [];
afterEach(() => {
  for (const cli of running) cli.signal('SIGKILL');
  running = [];
});

/** A project: `.git` (so the search stops here), the config file, a secret file, and `app/` below. */
function project(config: Record<string, unknown> | string): { root: string; app: string } {
  const root = mkdtempSync(join(tmpdir(), 'oblic-hooks-project-'));
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'app'));
  mkdirSync(join(root, '.secrets'));
  writeFileSync(join(root, '.secrets', 'oblic'), `${FILE_SECRET}\n`);
  writeFileSync(
    join(root, 'oblic-hooks.config.json'),
    typeof config === 'string' ? config : JSON.stringify(config, null, 2),
  );
  return { root, app: join(root, 'app') };
}

describe('send takes "to" and "secretFile" from oblic-hooks.config.json', () => {
  it('delivers to the file’s "to", signed with its secret file (over $OBLIC_WEBHOOK_SECRET), and says so', async () => {
    const s = await serve((_request, response) => response.writeHead(204).end());
    const { root, app } = project({ to: `${s.url}/webhooks`, secretFile: '.secrets/oblic' });
    const result = await spawnCli(['send', 'message.created'], { cwd: app, env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET } });
    expect(result.code, result.stderr).toBe(0);
    expect(s.received).toHaveLength(1);
    const [request] = s.received;
    expect(request!.url).toBe('/webhooks');
    expect(request!.headers['x-oblic-signature']).toBe(signatureOf(FILE_SECRET, request!.body));
    expect(result.stderr).toContain(`--to ${s.url}/webhooks (from ../oblic-hooks.config.json)\n`);
    expect(result.stderr).toContain(
      `signing with the secret file ${join(root, '.secrets', 'oblic')} named in ../oblic-hooks.config.json (…6789)`,
    );
  });

  it('a flag wins over the file: --to and --secret-file, and no line claims the file for them', async () => {
    const fromFile = await serve((_request, response) => response.writeHead(204).end());
    const fromFlag = await serve((_request, response) => response.writeHead(204).end());
    const { root } = project({ to: fromFile.url, secretFile: '.secrets/oblic' });
    const other = join(root, 'other-secret');
    writeFileSync(other, 'the-flag-secret-file-value');
    const result = await spawnCli(['send', 'message.created', '--to', fromFlag.url, '--secret-file', other], {
      cwd: root,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(fromFile.received).toHaveLength(0);
    const [request] = fromFlag.received;
    expect(request!.headers['x-oblic-signature']).toBe(signatureOf('the-flag-secret-file-value', request!.body));
    expect(result.stderr).not.toContain('oblic-hooks.config.json');
  });

  it('the environment wins over the built-in default when the file names no secret', async () => {
    const s = await serve((_request, response) => response.writeHead(204).end());
    const { root } = project({ to: s.url });
    const result = await spawnCli(['send', 'message.created'], {
      cwd: root,
      env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(s.received[0]!.headers['x-oblic-signature']).toBe(signatureOf(ENV_SECRET, s.received[0]!.body));
    expect(result.stderr).toContain(`--to ${s.url} (from ./oblic-hooks.config.json)`);
    expect(result.stderr).toContain('signing with $OBLIC_WEBHOOK_SECRET');
  });

  it('--config <file> names another file, found nowhere near the current directory', async () => {
    const s = await serve((_request, response) => response.writeHead(204).end());
    const { root } = project({ to: 'http://127.0.0.1:9/never' });
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-elsewhere-')), 'staging.json');
    writeFileSync(elsewhere, JSON.stringify({ to: s.url }));
    const result = await spawnCli(['send', 'message.created', '--config', elsewhere], {
      cwd: root,
      env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(s.received).toHaveLength(1);
    expect(result.stderr).toContain(`--to ${s.url} (from ${elsewhere})`);
  });
});

describe('check and scenario run take their keys too', () => {
  it('check grades the file’s "to" with its "deadline", and its re-run line does not need the file', async () => {
    const s = await serve((_request, response) => response.writeHead(204).end());
    const { root } = project({ to: `${s.url}/hooks`, deadline: '3s', secretFile: '.secrets/oblic' });
    const result = await spawnCli(['check', '--only', 'signatures'], { cwd: root });
    expect(result.code).toBe(1); // a 204 for everything: the forged deliveries are not refused
    expect(s.received.length).toBeGreaterThan(1);
    expect(s.received.every((request) => request.url === '/hooks')).toBe(true);
    expect(result.stderr).toContain(`the URL ${s.url}/hooks (from ./oblic-hooks.config.json)`);
    expect(result.stderr).toContain('--deadline 3s (from ./oblic-hooks.config.json)');
    expect(result.stderr).toMatch(
      /the same bodies again: oblic-hooks check \S+\/hooks .*--deadline 3s .*--secret-file /,
    );
  });

  it('scenario run delivers to the file’s "to"', async () => {
    const s = await serve((_request, response) => response.writeHead(204).end());
    const { root } = project({ to: s.url, secretFile: '.secrets/oblic' });
    const result = await spawnCli(['scenario', 'run', 'group'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    expect(s.received.length).toBeGreaterThan(0);
    for (const request of s.received)
      expect(request.headers['x-oblic-signature']).toBe(signatureOf(FILE_SECRET, request.body));
    expect(result.stderr).toContain(`--to ${s.url} (from ./oblic-hooks.config.json)`);
  });
});

describe('listen takes "port", "path" and "save" from oblic-hooks.config.json', () => {
  it('listens on the file’s port and path and saves where it says, relative to the file', async () => {
    const { root, app } = project({ port: 3791, path: '/webhooks', save: 'captures' });
    const cli = startCli(['listen'], { cwd: app, env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET } });
    running.push(cli);
    expect(await cli.url).toBe('http://127.0.0.1:3791/webhooks');
    await cli.stderr(/(--port 3791 \(from \.\.\/oblic-hooks\.config\.json\))/);
    await cli.stderr(/(--path \/webhooks \(from \.\.\/oblic-hooks\.config\.json\))/);
    const sent = await spawnCli(['send', 'message.created', '--to', 'http://127.0.0.1:3791/webhooks'], {
      env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET },
    });
    expect(sent.code, sent.stderr).toBe(0);
    const elsewhere = await fetch('http://127.0.0.1:3791/other', { method: 'POST', body: '{}' });
    expect(elsewhere.status).toBe(404);
    cli.signal('SIGINT');
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    // Relative to the file's directory, not to app/ where listen ran.
    expect(readdirSync(join(root, 'captures')).length).toBeGreaterThan(0);
    expect(readdirSync(app)).toEqual([]);
  });

  it('forwards to the file’s "forwardTo"', async () => {
    const app = await serve((_request, response) => response.writeHead(202).end());
    const { root } = project({ forwardTo: `${app.url}/hooks` });
    const cli = startCli(['listen', '--port', '0'], { cwd: root, env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET } });
    running.push(cli);
    const url = await cli.url;
    await cli.stderr(/(--forward-to \S+\/hooks \(from \.\/oblic-hooks\.config\.json\))/);
    const sent = await spawnCli(['send', 'message.created', '--to', url], {
      env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET },
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('202');
    expect(app.received.map((request) => request.url)).toEqual(['/hooks']);
  });

  it('--port on the command line wins over the file', async () => {
    const { root } = project({ port: 3792 });
    const cli = startCli(['listen', '--port', '0', '--timeout', '1ms'], {
      cwd: root,
      env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET },
    });
    running.push(cli);
    expect(await cli.url).not.toContain(':3792');
    const result = await cli.exited;
    expect(result.stderr).not.toContain('--port 3792');
  });
});

describe('a bad oblic-hooks.config.json is exit 2, one line naming the key', () => {
  it.each([
    [{ prot: 4300 }, 'oblic-hooks: ../oblic-hooks.config.json: "prot" is not a key (did you mean "port"?)\n'],
    [{ port: '4300' }, 'oblic-hooks: ../oblic-hooks.config.json: "port" must be a number from 0 to 65535\n'],
    [
      '{\n  "to": "3000",\n}\n',
      /^oblic-hooks: \.\.\/oblic-hooks\.config\.json is not valid JSON: line 3, column 1: .+\n$/,
    ],
  ])('%j', async (config, message) => {
    const { app } = project(config);
    for (const args of [['send', 'message.created'], ['listen'], ['check'], ['scenario', 'run', 'group']]) {
      const result = await spawnCli(args, { cwd: app });
      expect(result.code, args.join(' ')).toBe(2);
      if (typeof message === 'string') expect(result.stderr).toBe(message);
      else expect(result.stderr).toMatch(message);
    }
  });

  it('a "secret" key is refused, the secret never quoted, secretFile named instead', async () => {
    const { root } = project({ to: '3000', secret: 'whsec_do_not_commit' });
    const result = await spawnCli(['send', 'message.created'], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^oblic-hooks: \.\/oblic-hooks\.config\.json: "secret" is refused: .*"secretFile"/);
    expect(result.stderr).not.toContain('whsec_do_not_commit');
  });
});

describe('--help of each command that reads the file says so in one line', () => {
  it.each([['send'], ['listen'], ['check'], ['scenario', 'run']])('%s', async (...command) => {
    const result = await spawnCli([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/oblic-hooks\.config\.json \(here or above; --config\)/);
  });
});

describe('sign and verify take "secretFile" from oblic-hooks.config.json', () => {
  it('sign signs with it, and verify checks a capture with it, over $OBLIC_WEBHOOK_SECRET', async () => {
    const { root, app } = project({ secretFile: '.secrets/oblic' });
    const body = '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{}}';
    writeFileSync(join(root, 'body.json'), body);
    const signed = await spawnCli(['sign', join(root, 'body.json')], {
      cwd: app,
      env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET },
    });
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout.trim()).toBe(signatureOf(FILE_SECRET, Buffer.from(body)));
    expect(signed.stderr).toMatch(/signing with the secret file .* named in .*oblic-hooks\.config\.json/);
    const capture = join(root, 'one.http');
    writeFileSync(
      capture,
      `POST /webhooks HTTP/1.1\r\ncontent-type: application/json\r\nx-oblic-signature: ${signed.stdout.trim()}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    const verified = await spawnCli(['verify', capture], { cwd: app, env: { OBLIC_WEBHOOK_SECRET: ENV_SECRET } });
    expect(verified.code, verified.stderr).toBe(0);
  });
});
