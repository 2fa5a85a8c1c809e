import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, seedLockfile, userEnv } from './helpers/npm.js';

// Issue 18, Install: the README's install steps, done with real npm and no network. The packed
// tarball goes into a new app (`npm init -y`, `npm install -D <tarball>`), where `npx oblic-hooks
// demo`, `import … from 'oblic-hooks'`, `npm ci` and a package.json script must work with nothing
// built on install; `npm install -D <path to the clone>` links the clone into another app; `npm
// link` in the clone puts the bare `oblic-hooks` on PATH. `npm test` has built dist/ already: the
// pack and the links run with --ignore-scripts, since `prepare` would rebuild dist/ under the
// other test files running at the same time.

const SECRET = 'install-test-secret';
// The app's own script: the three calls of the README's library section, through the installed package.
const LIBRARY_SCRIPT = `
import { readFileSync } from 'node:fs';
import { createWebhooks, verifyRequest, sign } from 'oblic-hooks';

const secret = ${JSON.stringify(SECRET)};
const body = readFileSync('event.json');
const delivery = (signature) =>
  new Request('http://app.test/webhooks', { method: 'POST', headers: { 'x-oblic-signature': signature }, body });
const verdict = await verifyRequest(delivery(sign(secret, body)), { secrets: [secret] });
const forged = await verifyRequest(delivery(sign('another secret', body)), { secrets: [secret] });
const handled = [];
const webhooks = createWebhooks({ secrets: [secret] }).on('message.created', (event) => handled.push(event.id));
const answers = [(await webhooks.fetch(delivery(sign(secret, body)))).status];
answers.push((await webhooks.fetch(delivery(sign('another secret', body)))).status);
console.log(JSON.stringify({
  resolved: import.meta.resolve('oblic-hooks'),
  verified: verdict.verified, type: verdict.event?.type, id: verdict.event?.id,
  forged: forged.verified, forgedReason: forged.reason, answers, handled,
}));
`;

let work: string;
let app: string;
let linkedApp: string;
let tarball: string;
let packed: string[];
let installed: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'oblic-hooks-install-'));
  app = join(work, 'app');
  linkedApp = join(work, 'linked-app');
  for (const dir of [app, linkedApp]) mkdirSync(dir);
  // The pack and both `npm init`s at once: each is mostly npm's own start-up.
  const [pack, ...inits] = await Promise.all([
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT),
    run('npm', ['init', '-y'], app),
    run('npm', ['init', '-y'], linkedApp),
  ]);
  expect(pack.code, pack.stderr).toBe(0);
  for (const init of inits) expect(init.code, init.stderr).toBe(0);
  const [report] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, report!.filename);
  packed = report!.files.map((file) => file.path);
  seedLockfile(app);
  installed = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '-D', tarball], app);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the built dist/ and the bin, and no tests, scripts or node_modules', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'bin/oblic-hooks.cjs',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/bundle/main.js',
        'dist/bundle/worker.js',
        'dist/bundle/page/page.html',
        'package.json',
        'README.md',
      ]),
    );
    const stray = packed.filter((path) => /^(test|scripts|node_modules|\.ci)\/|(^|\/)node_modules\//.test(path));
    expect(stray).toEqual([]);
  });

  it('installs offline into a new app as a dev dependency, with no build and no build tools', () => {
    expect(installed.code, installed.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { devDependencies?: object };
    expect(pkg.devDependencies).toEqual({ 'oblic-hooks': `file:../${tarball.slice(work.length + 1)}` });
    const installedAt = join(app, 'node_modules', 'oblic-hooks');
    expect(lstatSync(installedAt).isSymbolicLink()).toBe(false); // a copy, not a link to the clone
    expect(existsSync(join(installedAt, 'dist', 'bundle', 'main.js'))).toBe(true);
    // `prepare` (the build) does not run for a tarball: had it run, it would have failed here,
    // where neither the build script nor its tools exist.
    expect(existsSync(join(installedAt, 'scripts'))).toBe(false);
    for (const tool of ['typescript', 'esbuild', 'vitest'])
      expect(existsSync(join(app, 'node_modules', tool))).toBe(false);
    expect(realpathSync(join(app, 'node_modules', '.bin', 'oblic-hooks'))).toBe(
      join(realpathSync(installedAt), 'bin', 'oblic-hooks.cjs'),
    );
  });
});

describe('in the app', () => {
  const env = () => userEnv({ XDG_CONFIG_HOME: join(work, 'config') });

  it('npx oblic-hooks demo verifies all fifteen events (exit 0)', async () => {
    const demo = await run('npx', ['--no-install', 'oblic-hooks', 'demo'], app, env());
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stderr).toContain('15 received · 15 verified · 0 invalid · 0 unsigned');
    expect(demo.stderr).toContain('all 15 events verified');
  });

  it("imports createWebhooks, verifyRequest and sign from 'oblic-hooks' and verifies a signed request", async () => {
    const sample = await run(
      'npx',
      ['--no-install', 'oblic-hooks', 'send', 'message.created', '--dry-run', '--seed', '7'],
      app,
      env(),
    );
    expect(sample.code, sample.stderr).toBe(0);
    const body = sample.stdout.trimEnd().split('\n').at(-1)!;
    const event = JSON.parse(body) as { id: string; type: string };
    writeFileSync(join(app, 'event.json'), body);
    writeFileSync(join(app, 'library.mjs'), LIBRARY_SCRIPT);

    const script = await run(process.execPath, ['library.mjs'], app, env());
    expect(script.code, script.stderr).toBe(0);
    expect(JSON.parse(script.stdout)).toEqual({
      resolved: `file://${realpathSync(join(app, 'node_modules', 'oblic-hooks'))}/dist/index.js`,
      verified: true,
      type: 'message.created',
      id: event.id,
      forged: false,
      forgedReason: 'mismatch',
      answers: [204, 401],
      handled: [event.id],
    });
  });

  // Last in this block: it reinstalls the app's node_modules.
  it('npm ci reinstalls it from the app lockfile, as in CI, and a package.json script runs the bare name', async () => {
    rmSync(join(app, 'node_modules'), { recursive: true });
    const ci = await run('npm', ['ci', '--offline'], app);
    expect(ci.code, ci.stderr).toBe(0);
    expect((await run('npm', ['pkg', 'set', 'scripts.hooks=oblic-hooks events --json'], app)).code).toBe(0);
    const script = await run('npm', ['run', '--silent', 'hooks'], app, env());
    expect(script.code, script.stderr).toBe(0);
    expect(JSON.parse(script.stdout)).toHaveLength(15);
  });
});

describe('the clone, linked', () => {
  it('npm install -D <path to the clone> links it into an app, where npx oblic-hooks runs it', async () => {
    const install = await run('npm', ['install', '--ignore-scripts', '-D', ROOT], linkedApp);
    expect(install.code, install.stderr).toBe(0);
    expect(realpathSync(join(linkedApp, 'node_modules', 'oblic-hooks'))).toBe(realpathSync(ROOT));
    const env = userEnv({ XDG_CONFIG_HOME: join(work, 'config') });
    const events = await run('npx', ['--no-install', 'oblic-hooks', 'events', '--json'], linkedApp, env);
    expect(events.code, events.stderr).toBe(0);
    expect(JSON.parse(events.stdout)).toHaveLength(15);
  });

  it('npm link puts the bare oblic-hooks on PATH, running this clone', async () => {
    const before = await run('sh', ['-c', 'command -v oblic-hooks'], work);
    expect(before.code, `already on PATH: ${before.stdout}`).not.toBe(0);
    const prefix = join(work, 'global'); // npm's global folder for this test only, never the machine's
    const link = await run('npm', ['link', '--ignore-scripts'], ROOT, userEnv({ npm_config_prefix: prefix }));
    expect(link.code, link.stderr).toBe(0);
    expect(realpathSync(join(prefix, 'lib', 'node_modules', 'oblic-hooks'))).toBe(realpathSync(ROOT));

    const env = userEnv({ PATH: `${join(prefix, 'bin')}:${userEnv().PATH}`, XDG_CONFIG_HOME: join(work, 'config') });
    const version = await run('oblic-hooks', ['--version'], work, env);
    expect(version.code, version.stderr).toBe(0);
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(expected);
  });
});
