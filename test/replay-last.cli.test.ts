import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, startCli, tempConfigHome } from './helpers/cli.js';
import { type Received, serveEach, signatureOf } from './helpers/server.js';

// Issue 18, "Replay by id, the last one, or a log": a real listener saves what `send` delivers, then
// the real binary replays it, from another directory, to a real server that records what it got.

const SECRET = 'replay-last-secret-0001';
const serve = serveEach();

interface Listened {
  home: string;
  saveDir: string;
  /** The listener's `--json` log, as a file. */
  log: string;
  /** The capture files, oldest first, and the body of each as saved. */
  names: string[];
  bodies: Buffer[];
}

/** `listen --save --json` takes the three message.* deliveries `send` makes, then stops by --exit-after. */
async function listenAndSend(): Promise<Listened> {
  const home = tempConfigHome();
  const work = mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-'));
  const saveDir = join(work, 'captures-of-today');
  const cli = startCli(['listen', '--port', '0', '--save', saveDir, '--json', '--exit-after', '3'], {
    env: { XDG_CONFIG_HOME: home, OBLIC_WEBHOOK_SECRET: SECRET },
  });
  const sent = await runCli(['send', 'message.*', '--to', await cli.url, '--secret', SECRET, '--seed', '7']);
  expect(sent.code, sent.stderr).toBe(0);
  const done = await cli.exited;
  expect(done.code, done.stderr).toBe(0);
  const log = join(work, 'listen.ndjson');
  writeFileSync(log, done.stdoutBytes);
  const names = readdirSync(saveDir).sort();
  const bodies = names.map((name) => {
    const bytes = readFileSync(join(saveDir, name));
    return bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  });
  return { home, saveDir, log, names, bodies };
}

const okServer = () =>
  serve((_request, response) => {
    response.writeHead(200);
    response.end('ok');
  });

function signatures(received: Received[]): unknown[] {
  return received.map((r) => r.headers['x-oblic-signature']);
}

describe('oblic-hooks replay against what a real listen --save stored', () => {
  it('--last 2, run from another directory, resends the newest two captures byte for byte with their signatures', async () => {
    const listened = await listenAndSend();
    expect(listened.names).toHaveLength(3);
    const app = await okServer();
    const elsewhere = mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-cwd-'));
    const replayed = await spawnCli(['replay', '--last', '2', '--to', app.url], {
      env: { XDG_CONFIG_HOME: listened.home },
      cwd: elsewhere,
    });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stderr).toContain(`replaying from ${listened.saveDir} (where \`listen --save\` last saved, `);
    expect(replayed.stderr).toContain('--last 2: the newest 2 of 3 captures\n');
    // Oldest of the two first: the order they arrived in.
    expect(app.received.map((r) => r.body)).toEqual(listened.bodies.slice(1));
    expect(signatures(app.received)).toEqual(listened.bodies.slice(1).map((body) => signatureOf(SECRET, body)));
    expect(listened.names[1]).toContain('-message.updated-');
  });

  it('replay <event-id> finds that capture in the remembered directory; an unknown id exits 2 naming the directory', async () => {
    const listened = await listenAndSend();
    const id = /-([A-Za-z0-9]{16})\.http$/.exec(listened.names[2]!)![1]!;
    const app = await okServer();
    const env = { XDG_CONFIG_HOME: listened.home };
    const replayed = await spawnCli(['replay', id, '--to', app.url, '--json'], { env });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(app.received.map((r) => r.body)).toEqual([listened.bodies[2]]);
    const line = JSON.parse(replayed.stdout) as { id: string; status: number; signature: string };
    expect(line).toMatchObject({ id, status: 200, signature: signatureOf(SECRET, listened.bodies[2]!) });

    const typo = `${id.slice(0, 15)}${id.endsWith('Q') ? 'R' : 'Q'}`;
    const missing = await spawnCli(['replay', typo, '--to', app.url], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n').at(-1)).toBe(
      `oblic-hooks: no capture of event ${typo} in ${listened.saveDir} (where \`listen --save\` last saved, ` +
        `${missing.stderr.match(/saved, ([\d-]+ [\d:]+ UTC)/)![1]}; 3 captures); did you mean ${id}? newest: ` +
        [...listened.names]
          .reverse()
          .map((name) => /-([A-Za-z0-9]{16})\.http$/.exec(name)![1])
          .join(', '),
    );
    expect(app.received).toHaveLength(1);
  });

  it('replay listen.ndjson resends every line of the `listen --json` log; --events picks the types', async () => {
    const listened = await listenAndSend();
    const app = await okServer();
    const all = await spawnCli(['replay', listened.log, '--to', app.url]);
    expect(all.code, all.stderr).toBe(0);
    expect(app.received.map((r) => r.body)).toEqual(listened.bodies);
    expect(signatures(app.received)).toEqual(listened.bodies.map((body) => signatureOf(SECRET, body)));

    const some = await spawnCli([
      'replay',
      listened.log,
      '--events',
      'message.deleted,message.created',
      '--to',
      app.url,
    ]);
    expect(some.code, some.stderr).toBe(0);
    expect(app.received.slice(3).map((r) => r.body)).toEqual([listened.bodies[0], listened.bodies[2]]);
  });

  it("a project config's `to` and `save` are where replay --last sends and reads; never its secretFile", async () => {
    const listened = await listenAndSend();
    const app = await okServer();
    const project = mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-project-'));
    writeFileSync(join(project, 'secret.txt'), 'a-config-secret-that-must-not-re-sign');
    writeFileSync(
      join(project, 'oblic-hooks.config.json'),
      JSON.stringify({ to: app.url, save: listened.saveDir, secretFile: './secret.txt' }),
    );
    const replayed = await spawnCli(['replay', '--last', '1'], {
      env: { XDG_CONFIG_HOME: tempConfigHome() },
      cwd: project,
    });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stderr).toMatch(/--to \S+ \(from \.\/oblic-hooks\.config\.json\)/);
    expect(replayed.stderr).toContain(`replaying from ${listened.saveDir} (save in ./oblic-hooks.config.json)`);
    expect(app.received.map((r) => r.body)).toEqual(listened.bodies.slice(2));
    // Its own signature, not one made with the config's secret file.
    expect(signatures(app.received)).toEqual([signatureOf(SECRET, listened.bodies[2]!)]);
  });
});
