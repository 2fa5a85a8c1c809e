import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, spawnCli, tempConfigHome } from './helpers/cli.js';

const VECTOR = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  hex: '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};
const ESC = '\u001b[';

describe('secret', () => {
  it('creates a 0600 development secret on first use, prints it bare, and keeps it', async () => {
    const home = tempConfigHome();
    const first = await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    expect(first.code).toBe(0);
    const secret = first.stdout.trim();
    expect(secret).toMatch(/^oblicdev_[A-Za-z0-9_-]{43}$/);
    expect(first.stdout).toBe(`${secret}\n`);
    expect(first.stderr).toContain(`created a development secret in ${join(home, 'oblic-hooks', 'secret')}`);
    const path = join(home, 'oblic-hooks', 'secret');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'oblic-hooks')).mode & 0o777).toBe(0o700);
    const again = await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    expect(again.stdout.trim()).toBe(secret);
    expect(again.stderr).toBe('');
  });

  it('--rotate replaces it with another one', async () => {
    const home = tempConfigHome();
    const before = (await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } })).stdout.trim();
    const rotated = await runCli(['secret', '--rotate'], { env: { XDG_CONFIG_HOME: home } });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).not.toBe(before);
    expect(readFileSync(join(home, 'oblic-hooks', 'secret'), 'utf8').trim()).toBe(rotated.stdout.trim());
    expect(statSync(join(home, 'oblic-hooks', 'secret')).mode & 0o777).toBe(0o600);
  });

  it('refuses a secret file that others can read, with the chmod that fixes it', async () => {
    const home = tempConfigHome();
    await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    const path = join(home, 'oblic-hooks', 'secret');
    chmodSync(path, 0o644);
    const result = await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `oblic-hooks: ${path} is readable by other users (mode 0644); run \`chmod 600 ${path}\`\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('is shared by sign in another process: the same secret, no flags', async () => {
    const home = tempConfigHome();
    const secret = (await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } })).stdout.trim();
    const signed = await spawnCli(['sign'], { env: { XDG_CONFIG_HOME: home }, input: 'abc' });
    const explicit = await runCli(['sign', '--secret', secret], { input: 'abc' });
    expect(signed.stdout).toBe(explicit.stdout);
    expect(signed.stderr).toContain(
      `signing with the development secret in ${join(home, 'oblic-hooks', 'secret')} (…${secret.slice(-4)})`,
    );
  });
});

describe('sign', () => {
  it('reproduces the published vector from standard input and prints only the hex on stdout', async () => {
    const result = await runCli(['sign', '--secret', VECTOR.secret], { input: VECTOR.body });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${VECTOR.hex}\n`);
  });

  it('signs a file byte for byte, and reads the secret from --secret-file or the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-sign-'));
    writeFileSync(join(dir, 'body'), VECTOR.body);
    writeFileSync(join(dir, 'secret'), `${VECTOR.secret}\n`);
    const fromFile = await runCli(['sign', join(dir, 'body'), '--secret-file', join(dir, 'secret')]);
    expect(fromFile.stdout).toBe(`${VECTOR.hex}\n`);
    expect(fromFile.stderr).toContain(`signing with the secret file ${join(dir, 'secret')}`);
    const fromEnv = await runCli(['sign', join(dir, 'body')], { env: { OBLIC_WEBHOOK_SECRET: VECTOR.secret } });
    expect(fromEnv.stdout).toBe(`${VECTOR.hex}\n`);
    // --secret beats --secret-file beats the environment.
    const both = await runCli(
      ['sign', join(dir, 'body'), '--secret', 'other-secret', '--secret-file', join(dir, 'secret')],
      { env: { OBLIC_WEBHOOK_SECRET: 'x' } },
    );
    expect(both.stdout).not.toBe(`${VECTOR.hex}\n`);
    expect(both.stderr).toContain('signing with --secret');
  });

  it.each([
    [['sign', '/nonexistent/file', '--secret', 's'], 'oblic-hooks: cannot read /nonexistent/file: no such file'],
    [['sign', '--secret', ''], 'oblic-hooks: --secret is empty; pass the endpoint secret, or drop the flag'],
    [
      ['sign', '--secret-file', '/nonexistent/secret'],
      'oblic-hooks: cannot read the secret file /nonexistent/secret: no such file',
    ],
  ])('%j exits 2 with one line', async (args, message) => {
    const result = await runCli(args, { input: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('events', () => {
  it("--json prints the fifteen types with resource, action and Oblic's description", async () => {
    const result = await runCli(['events', '--json']);
    const events = JSON.parse(result.stdout);
    expect(events).toHaveLength(15);
    expect(events[8]).toEqual({
      type: 'message.deleted',
      resource: 'message',
      action: 'deleted',
      description: 'A message was successfully deleted.',
    });
  });

  it('prints a plain table when piped, and colours it only when asked', async () => {
    const plain = await runCli(['events']);
    expect(plain.stdout).toContain('attachment.deleted    An attachment was successfully deleted.');
    expect(plain.stdout).not.toContain(ESC);
    expect((await runCli(['events'], { env: { FORCE_COLOR: '1' } })).stdout).toContain(ESC);
    expect((await runCli(['events'], { env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await runCli(['events', '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout).not.toContain(ESC);
  });
});

describe('the command line', () => {
  it('--help lists the commands and documents the exit codes, on stdout with exit 0', async () => {
    const result = await spawnCli(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['events', 'secret', 'sign', 'send', 'Exit codes:', 'OBLIC_WEBHOOK_SECRET'])
      expect(result.stdout).toContain(word);
    // Only a named command is built at start-up; help in any form still lists all ten.
    for (const args of [['--help'], ['help'], ['--no-color', '--help']]) {
      const listing = (await runCli(args)).stdout;
      for (const command of [
        'events',
        'secret',
        'sign',
        'send',
        'verify',
        'listen',
        'replay',
        'demo',
        'schema',
        'check',
        'scenario',
      ])
        expect(listing).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('send --help shows examples and its exit codes', async () => {
    const result = await runCli(['send', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('$ oblic-hooks send message.created');
    expect(result.stdout).toContain('Exit codes: 0 every delivery got a 2xx');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect((await spawnCli(['--version'])).stdout).toBe(`${pkg.version}\n`);
  });

  it('the bin run through a symlink (as npm links it) works, and without a build says what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-bin-'));
    symlinkSync(BIN, join(dir, 'oblic-hooks'));
    const linked = spawnSync(join(dir, 'oblic-hooks'), ['--version'], { encoding: 'utf8' });
    expect([linked.status, linked.stdout]).toEqual([
      0,
      `${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`,
    ]);
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'oblic-hooks.cjs')); // a package folder with no dist/
    const unbuilt = spawnSync(process.execPath, [join(dir, 'bin', 'oblic-hooks.cjs'), '--version'], {
      encoding: 'utf8',
    });
    expect([unbuilt.status, unbuilt.stdout, unbuilt.stderr]).toEqual([
      2,
      '',
      'oblic-hooks: the build is missing (no dist/); run `npm install` in the package folder\n',
    ]);
  });

  it('an unknown command exits 2 with one line and a suggestion', async () => {
    const result = await spawnCli(['sned']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("oblic-hooks: unknown command 'sned' (Did you mean send?)\n");
  });

  it('a missing argument exits 2 with one line that says where to look', async () => {
    const result = await runCli(['replay']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "oblic-hooks: missing required argument 'captures' (the command's --help shows what it takes)\n",
    );
  });

  it('no command prints the help on stderr and exits 2', async () => {
    const result = await spawnCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: oblic-hooks');
    expect(result.stdout).toBe('');
  });
});
