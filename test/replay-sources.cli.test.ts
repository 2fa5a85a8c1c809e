import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rememberSaveDir, recallSaveDir } from '../src/cli/last-save.js';
import { runCli, spawnCli, tempConfigHome } from './helpers/cli.js';
import { serveEach, signatureOf } from './helpers/server.js';

// Issue 18: which captures `replay` picks from files, logs, event ids and --last, with hand-made
// captures named as `listen --save` names them (src/listen/save.ts).

const SECRET = 'replay-sources-secret-01';
const serve = serveEach();

function bodyOf(id: string, type: string): string {
  return JSON.stringify({ id, type, payload: { note: `${type} ${id}` } });
}

function capture(body: string): string {
  return (
    `POST /hooks?x=1 HTTP/1.1\r\nHost: localhost:9\r\nContent-Type: application/json\r\n` +
    `X-Oblic-Signature: ${signatureOf(SECRET, Buffer.from(body))}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

const ID = {
  a: 'aaaaaaaaaaaaaaa1',
  b: 'bbbbbbbbbbbbbbb2',
  c: 'ccccccccccccccc3',
  d: 'ddddddddddddddd4',
};

/**
 * A --save directory of five captures, written out of order, each file's mtime the reverse of its
 * arrival (the name):
 * a message, a contact, a message, the same message again (a repeat), a message named for `d` whose
 * body is another event's.
 */
function saveDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-dir-'));
  const files: Array<[string, string]> = [
    [`20261201T100000.000Z-000001-message.created-${ID.a}.http`, bodyOf(ID.a, 'message.created')],
    [`20261201T100001.000Z-000002-contact.created-${ID.b}.http`, bodyOf(ID.b, 'contact.created')],
    [`20261201T100002.000Z-000003-message.updated-${ID.c}.http`, bodyOf(ID.c, 'message.updated')],
    [`20261201T100003.000Z-000004-message.updated-${ID.c}.http`, bodyOf(ID.c, 'message.updated')],
    [`20261201T100004.000Z-000005-message.deleted-${ID.d}.http`, bodyOf('eeeeeeeeeeeeeee5', 'message.deleted')],
  ];
  // Written out of order, so a directory listing's own order (creation, on some file systems) is no help.
  for (const i of [2, 4, 0, 3, 1]) writeFileSync(join(dir, files[i]![0]), capture(files[i]![1]));
  files.forEach(([name], i) => {
    const t = new Date(Date.UTC(2026, 0, 1) - i * 60_000); // newer by name, older by mtime
    utimesSync(join(dir, name), t, t);
  });
  writeFileSync(join(dir, 'notes.txt'), 'not a capture, not named like one');
  return dir;
}

const recorder = () =>
  serve((_request, response) => {
    response.writeHead(200);
    response.end();
  });

async function replay(args: string[], env: NodeJS.ProcessEnv = {}) {
  const app = await recorder();
  const result = await runCli(['replay', ...args, '--to', app.url], { env });
  return { ...result, bodies: app.received.map((r) => r.body.toString('utf8')), urls: app.received.map((r) => r.url) };
}

describe('replay --last and --from', () => {
  it('--last picks the newest by file name, not by mtime, and keeps the captured path', async () => {
    const dir = saveDir();
    const one = await replay(['--last', '--from', dir]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.bodies).toEqual([bodyOf('eeeeeeeeeeeeeee5', 'message.deleted')]);
    expect(one.urls).toEqual(['/hooks?x=1']);
    expect(one.stderr).toContain(`replaying from ${dir} (--from)`);
  });

  it('--last 3 --events message.* takes the newest three messages, oldest first, passing over the contact', async () => {
    const dir = saveDir();
    const r = await replay(['--last', '3', '--events', 'message.*', '--from', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.bodies).toEqual([
      bodyOf(ID.c, 'message.updated'),
      bodyOf(ID.c, 'message.updated'),
      bodyOf('eeeeeeeeeeeeeee5', 'message.deleted'),
    ]);
  });

  it('--last 9 sends the five there in name order and says so; an empty directory exits 2', async () => {
    const r = await replay(['--last', '9', '--from', saveDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.bodies).toEqual([
      bodyOf(ID.a, 'message.created'),
      bodyOf(ID.b, 'contact.created'),
      bodyOf(ID.c, 'message.updated'),
      bodyOf(ID.c, 'message.updated'),
      bodyOf('eeeeeeeeeeeeeee5', 'message.deleted'),
    ]);
    expect(r.stderr).toContain('--last 9: only 5 captures there\n');
    const empty = await replay(['--last', '--from', mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-empty-'))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^oblic-hooks: no captures in \S+ \(--from\) to replay with --last\n$/);
  });

  it('the remembered directory is used when it exists, and ./captures, said why, when it is gone', async () => {
    const home = tempConfigHome();
    const dir = saveDir();
    await rememberSaveDir(dir, { XDG_CONFIG_HOME: home }, new Date('2026-12-01T09:30:00Z'));
    expect(await recallSaveDir({ XDG_CONFIG_HOME: home })).toEqual({ dir, at: new Date('2026-12-01T09:30:00Z') });
    const r = await replay(['--last'], { XDG_CONFIG_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`replaying from ${dir} (where \`listen --save\` last saved, 2026-12-01 09:30:00 UTC)`);
    rmSync(dir, { recursive: true });
    const cwd = mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-cwd-'));
    mkdirSync(join(cwd, 'captures'));
    writeFileSync(
      join(cwd, 'captures', `20261201T110000.000Z-000001-group.created-${ID.a}.http`),
      capture(bodyOf(ID.a, 'group.created')),
    );
    const app = await recorder();
    const gone = await spawnCli(['replay', '--last', '--to', app.url], { env: { XDG_CONFIG_HOME: home }, cwd });
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr).toContain(
      `replaying from captures (the default: ${dir}, where \`listen --save\` last saved, is gone)`,
    );
    expect(app.received.map((x) => x.body.toString())).toEqual([bodyOf(ID.a, 'group.created')]);
  });
});

describe('replay <event-id>', () => {
  it('sends every capture of the id (a repeat too), and skips one named for it whose body is another event', async () => {
    const dir = saveDir();
    const r = await replay([ID.c, '--from', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.bodies).toEqual([bodyOf(ID.c, 'message.updated'), bodyOf(ID.c, 'message.updated')]);
    const mismatch = await replay([ID.d, '--from', dir]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain(`-message.deleted-${ID.d}.http: skipped: its body is event eeeeeeeeeeeeeee5\n`);
    expect(mismatch.bodies).toEqual([]);
  });

  it('an id found nowhere is one line, exit 2, with the directory, the nearest id and the newest', async () => {
    const dir = saveDir();
    const r = await replay(['ccccccccccccccC8', '--from', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `oblic-hooks: no capture of event ccccccccccccccC8 in ${dir} (--from; 5 captures); did you mean ${ID.c}? newest: ${ID.d}, ${ID.c}, ${ID.b}\n`,
    );
  });

  it('a file that exists wins over an id of the same spelling; files, ids and --last mix, each saved capture sent once', async () => {
    const dir = saveDir();
    const cwd = mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-cwd-'));
    writeFileSync(join(cwd, ID.a), capture(bodyOf('fffffffffffffff6', 'group.deleted')));
    const app = await recorder();
    const r = await spawnCli(['replay', ID.a, ID.b, '--last', '2', '--from', dir, '--to', app.url], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(app.received.map((x) => x.body.toString())).toEqual([
      bodyOf('fffffffffffffff6', 'group.deleted'),
      bodyOf(ID.b, 'contact.created'),
      bodyOf(ID.c, 'message.updated'),
      bodyOf('eeeeeeeeeeeeeee5', 'message.deleted'),
    ]);
  });
});

describe('replay of a `listen --json` log, and what is refused', () => {
  it('skips and counts the lines of requests listen refused unread; --events filters a log too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-replay-log-'));
    const line = (id: string, type: string) => {
      const body = bodyOf(id, type);
      return JSON.stringify({
        method: 'POST',
        path: '/w',
        headers: { 'x-oblic-signature': signatureOf(SECRET, Buffer.from(body)) },
        body,
      });
    };
    const refused = JSON.stringify({ method: 'GET', path: '/', headers: { host: 'x' }, body: null, status: 405 });
    const log = join(dir, 'log.ndjson');
    writeFileSync(log, [line(ID.a, 'message.created'), refused, line(ID.b, 'contact.deleted'), ''].join('\n'));
    const r = await replay([log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.bodies).toEqual([bodyOf(ID.a, 'message.created'), bodyOf(ID.b, 'contact.deleted')]);
    expect(r.stderr).toContain(
      `${log}: 1 line skipped: a request the listener refused unread, with no body to resend\n`,
    );
    const contacts = await replay([log, '--events', 'contact', '--from', dir]);
    expect(contacts.stderr).toContain('--from is not used: it names where --last and event ids are looked up');
    expect(contacts.bodies).toEqual([bodyOf(ID.b, 'contact.deleted')]);
    const none = await replay([log, '--events', 'group.*']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'nothing to replay: no capture of the types --events asks for (group.created, group.updated, group.deleted)',
    );
  });

  it('no argument and no --last, a --last that is not a count, an unknown --events type: exit 2, one line', async () => {
    for (const [args, message] of [
      [[], "missing required argument 'captures' (the command's --help shows what it takes)"],
      [['--last', 'abc'], '--last takes a count, not "abc": put files and event ids before --last, or write --last 1'],
      [['--last', '0'], '--last "0" must be a whole number from 1 to 100000'],
      [['--last', '--events', 'mesage.created'], 'unknown event type "mesage.created"; did you mean message.created?'],
    ] as const) {
      const r = await replay([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`oblic-hooks: ${message}\n`);
    }
  });
});
