import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCli, startCli, tempConfigHome, type RunningCli } from './helpers/cli.js';

const running: RunningCli[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) cli.signal('SIGKILL');
});

// Issue 13, items 23 and 24: no path a user names makes oblic-hooks spin or block; the secret files
// are checked before they are trusted. Each failure is one line on stderr and exit 2.

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'oblic-secrets-'));
}

/** A real FIFO: node:fs has no mkfifo, coreutils does. */
function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the binary with exactly `env` (plus PATH), and kills it if it is still running after 15 s.
 */
function runBounded(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Ended> {
  // spawn's own timeout kills what spins for ever, so the test fails quickly, not at the test timeout.
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function expectOneLine(result: Ended, line: string): void {
  expect(result.stderr).toBe(`oblic-hooks: ${line}\n`);
  expect(result.code).toBe(2);
}

describe('paths that made oblic-hooks spin or block (issue 13, item 23)', () => {
  it('listen --save /proc/nope is one line and exit 2', async () => {
    const result = await runBounded(['listen', '--port', '0', '--save', '/proc/nope'], {
      XDG_CONFIG_HOME: tempConfigHome(),
    });
    expectOneLine(result, 'cannot use --save /proc/nope: /proc does not allow new directories');
  });

  it('demo with XDG_CONFIG_HOME=/proc/x is one line and exit 2', async () => {
    const result = await runBounded(['demo'], { XDG_CONFIG_HOME: '/proc/x' });
    expectOneLine(
      result,
      'cannot write the development secret in /proc/x/oblic-hooks: /proc does not allow new directories; set $XDG_CONFIG_HOME to a directory of your own, or pass --secret-file',
    );
  });

  it('secret with HOME under /proc is one line and exit 2', async () => {
    const result = await runBounded(['secret'], { HOME: '/proc/self/nope' });
    expectOneLine(
      result,
      'cannot write the development secret in /proc/self/nope/.config/oblic-hooks: /proc/self does not allow new directories; set $XDG_CONFIG_HOME to a directory of your own, or pass --secret-file',
    );
  });

  it('sign --secret-file FIFO is one line and exit 2, with no writer at the other end', async () => {
    const path = fifo(join(tempDir(), 'secret'));
    const result = await runBounded(['sign', '--secret-file', path], { XDG_CONFIG_HOME: tempConfigHome() }, 'body');
    expectOneLine(
      result,
      `cannot read the secret file ${path}: it is a FIFO (named pipe), not a regular file; for a command's output use OBLIC_WEBHOOK_SECRET="$(command)" instead`,
    );
  });

  it('listen --save on a regular file names it in words, not EEXIST', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'x');
    const result = await runBounded(['listen', '--port', '0', '--save', file], { XDG_CONFIG_HOME: tempConfigHome() });
    expectOneLine(result, `cannot use --save ${file}: ${file} is a regular file, not a directory`);
  });

  it('listen --ui skips a FIFO named *.http in the --save directory and reloads the rest', async () => {
    const dir = tempDir();
    const secret = 'reload-secret-0123456789';
    const capture = await runCli(['send', 'message.created', '--dry-run', '--secret', secret]);
    writeFileSync(join(dir, '20260101T000000.000Z-000001-message.created-a.http'), capture.stdoutBytes);
    fifo(join(dir, '20260101T000001.000Z-000002-message.created-b.http'));
    const listener = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0', '--save', dir, '--secret', secret]);
    running.push(listener); // a reload that blocks fails at the test timeout, and is killed after it
    // stderr() rejects if listen ends before the inspector is up.
    const inspector = await listener.stderr(/inspector on (http:\/\/\S+)/);
    const deliveries = (await (await fetch(new URL('/api/deliveries', inspector))).json()) as unknown[];
    expect(deliveries).toHaveLength(1);
    listener.signal('SIGINT');
    await listener.exited;
  });
});

describe('the development secret file is the user’s own (issue 13, item 24)', () => {
  it('a link at the secret file is refused, its target left alone, and no chmod suggested', async () => {
    const home = tempConfigHome();
    mkdirSync(join(home, 'oblic-hooks'), { mode: 0o700 });
    const target = join(tempDir(), 'shared-file');
    writeFileSync(target, 'oblicdev_someone-elses-secret\n', { mode: 0o644 });
    chmodSync(target, 0o644);
    const path = join(home, 'oblic-hooks', 'secret');
    symlinkSync(target, path);
    const result = await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    expectOneLine(
      result,
      `${path} is a symbolic link; the development secret must be a file of its own: remove the link (\`rm ${path}\`, its target stays) and run \`oblic-hooks secret\``,
    );
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('chmod');
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(readFileSync(target, 'utf8')).toBe('oblicdev_someone-elses-secret\n');
  });

  it('a link at the secret directory is refused, for reading and for creating', async () => {
    const home = tempConfigHome();
    const real = join(tempDir(), 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(home, 'oblic-hooks'));
    const line = `${join(home, 'oblic-hooks')} is a symbolic link; the development secret must be in a directory of its own: set $XDG_CONFIG_HOME to a directory of your own, or pass --secret-file`;
    expectOneLine(await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } }), line);
    expectOneLine(await runCli(['sign'], { env: { XDG_CONFIG_HOME: home }, input: 'body' }), line);
    expect(lstatSync(join(real)).isDirectory()).toBe(true);
  });

  it('a secret directory others can write is refused with the chmod of that directory', async () => {
    const home = tempConfigHome();
    const dir = join(home, 'oblic-hooks');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expectOneLine(
      await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } }),
      `${dir} is writable by other users (mode 0777); run \`chmod 700 ${dir}\``,
    );
  });

  it('a development secret that is a directory is exit 2, not 70', async () => {
    const home = tempConfigHome();
    const path = join(home, 'oblic-hooks', 'secret');
    mkdirSync(path, { recursive: true, mode: 0o700 });
    expectOneLine(
      await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } }),
      `cannot read ${path}: it is a directory, not a regular file; move it away and run \`oblic-hooks secret\` to make a new one, or set $XDG_CONFIG_HOME to a directory of your own, or pass --secret-file`,
    );
  });

  it('a development secret that is not UTF-8 is refused', async () => {
    const home = tempConfigHome();
    await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    const path = join(home, 'oblic-hooks', 'secret');
    writeFileSync(path, Buffer.from([0x6f, 0xff, 0xfe, 0x0a]));
    expectOneLine(
      await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } }),
      `${path} is not UTF-8 text; run \`oblic-hooks secret --rotate\` to make a new one`,
    );
  });

  it('secret --rotate replaces a link at the secret file, never its target', async () => {
    const home = tempConfigHome();
    await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    const path = join(home, 'oblic-hooks', 'secret');
    const target = join(tempDir(), 'elsewhere');
    renameSync(path, target);
    symlinkSync(target, path);
    const before = readFileSync(target, 'utf8');
    const rotated = await runCli(['secret', '--rotate'], { env: { XDG_CONFIG_HOME: home } });
    expect(rotated.code).toBe(0);
    expect(lstatSync(path).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(before);
  });
});

describe('--secret-file is bounded and must be text (issue 13, item 24)', () => {
  const sign = (path: string) =>
    runBounded(['sign', '--secret-file', path], { XDG_CONFIG_HOME: tempConfigHome() }, 'body');

  it('a secret file over 4 KiB is one line and exit 2', async () => {
    const path = join(tempDir(), 'secret');
    writeFileSync(path, Buffer.alloc(4097, 'a'));
    expectOneLine(
      await sign(path),
      `cannot read the secret file ${path}: it is 4,097 bytes, over the limit of 4,096 bytes`,
    );
  });

  it('a device as the secret file is one line and exit 2, without reading it', async () => {
    expectOneLine(await sign('/dev/zero'), 'cannot read the secret file /dev/zero: it is a device, not a regular file');
  });

  it('a directory as the secret file is one line and exit 2', async () => {
    const dir = tempDir();
    expectOneLine(await sign(dir), `cannot read the secret file ${dir}: it is a directory, not a regular file`);
  });

  it('a secret file whose bytes are not UTF-8 is refused, not signed with U+FFFD', async () => {
    const path = join(tempDir(), 'secret');
    writeFileSync(path, Buffer.from([0xff, 0xfe, 0x61, 0x62, 0x63]));
    expectOneLine(
      await sign(path),
      `the secret file ${path} is not UTF-8 text; an Oblic secret is text: save it as UTF-8`,
    );
  });

  it('a link as the secret file is followed, as Kubernetes mounts secrets, and its target is checked', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real'), 'mounted-secret-123456\n');
    symlinkSync(join(dir, 'real'), join(dir, 'linked'));
    const viaLink = await sign(join(dir, 'linked'));
    const direct = await runBounded(
      ['sign', '--secret', 'mounted-secret-123456'],
      { XDG_CONFIG_HOME: tempConfigHome() },
      'body',
    );
    expect(viaLink.code).toBe(0);
    expect(viaLink.stdout).toBe(direct.stdout);
    fifo(join(dir, 'pipe'));
    symlinkSync(join(dir, 'pipe'), join(dir, 'to-pipe'));
    expectOneLine(
      await sign(join(dir, 'to-pipe')),
      `cannot read the secret file ${join(dir, 'to-pipe')}: it is a FIFO (named pipe), not a regular file; for a command's output use OBLIC_WEBHOOK_SECRET="$(command)" instead`,
    );
  });
});
