import { afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/io.js';

// The command line, two ways. runCli calls `run(args, io)` from src/cli/main.ts in this process, with
// a fake Io: what most tests need, for the cost of a function call. spawnCli and startCli run the
// built binary (about 150 ms of CPU each), for what only a real process shows: exit codes through
// the process, stream routing and EPIPE, a terminal, signals, a cwd, `listen` starting and stopping,
// and the bundle itself.

export const BIN = fileURLToPath(new URL('../../bin/oblic-hooks.cjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  ms: number;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** spawnCli only: standard input is this file itself (e.g. /dev/zero), not a pipe of `input`. */
  stdinFile?: string;
  cwd?: string;
}

/** A private config dir, so no test ever reads or writes the real ~/.config. */
export function tempConfigHome(): string {
  return mkdtempSync(join(tmpdir(), 'oblic-hooks-test-'));
}

/**
 * A clean environment: no colour or secret variables unless a test sets them, and a private config
 * dir. A variable set to undefined is removed.
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XDG_CONFIG_HOME: tempConfigHome(),
    ...extra,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

/** A stream that keeps every byte written to it, as a pipe to the test would (isTTY false). */
function captureStream(): { stream: Writable & { isTTY: false }; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
    { isTTY: false as const },
  );
  return { stream, bytes: () => Buffer.concat(chunks) };
}

/**
 * Runs the command line in this process, the same code the bundle is built from: `run(args, io)`
 * with stdout and stderr captured (not terminals), stdin holding `input` (empty by default) and the
 * clean environment. The exit code is what `run` returns; `ms` is the run's, without Node's start-up.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  if (options.cwd !== undefined)
    throw new Error('runCli runs in this process, whose cwd is the runner’s: use spawnCli');
  const { run } = await import('../../src/cli/main.js');
  const stdout = captureStream();
  const stderr = captureStream();
  const stdin = new PassThrough();
  stdin.end(options.input ?? '');
  const io: Io = { stdout: stdout.stream, stderr: stderr.stream, stdin, env: cleanEnv(options.env) };
  const started = performance.now();
  const code = await run(args, io);
  const ms = performance.now() - started;
  const stdoutBytes = stdout.bytes();
  return { code, stdout: stdoutBytes.toString('utf8'), stderr: stderr.bytes().toString('utf8'), stdoutBytes, ms };
}

/**
 * Spawns the real built binary, as a user would run it. The environment is clean of colour and
 * secret variables unless a test sets them.
 */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const started = performance.now();
  const stdinFile = options.stdinFile === undefined ? undefined : openSync(options.stdinFile, 'r');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(options.env),
    cwd: options.cwd,
    stdio: [stdinFile ?? 'pipe', 'pipe', 'pipe'],
  });
  if (stdinFile !== undefined) closeSync(stdinFile);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin?.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        ms: performance.now() - started,
      });
    });
  });
}

export interface RunningCli {
  /** The listener's URL, from its ready line on stderr. */
  url: Promise<string>;
  /** Resolves with the first group of `pattern` once stderr matches it. */
  stderr(pattern: RegExp): Promise<string>;
  /** Resolves once stdout holds at least n lines. */
  lines(n: number): Promise<string[]>;
  signal(name: NodeJS.Signals): void;
  /** Resolves when the process has ended. */
  exited: Promise<CliResult>;
}

/** Spawns a long-running command (listen) and lets a test wait for what it prints, never for time. */
export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const out: Buffer[] = [];
  let newlines = 0; // so a wait for n lines joins the output only once it can hold them
  let err = '';
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines += 1;
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    wake();
  });
  // Set before the waiters wake, so a wait for output that never came fails at once, not at the timeout.
  let ended = false;
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => {
      ended = true;
      wake();
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        stdout: stdoutBytes.toString('utf8'),
        stderr: err,
        stdoutBytes,
        ms: performance.now() - started,
      });
    }),
  );
  const until = <T>(check: () => T | undefined, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined) return resolve(value);
        if (ended) return reject(new Error(`the process ended before ${what}; stderr: ${err}`));
        waiters.push(attempt);
      };
      attempt();
    });
  const url = until(() => /listening on (http:\/\/\S+)/.exec(err)?.[1], 'its ready line');
  url.catch(() => undefined); // a test that never asks for the URL (a process meant to fail) is not an unhandled rejection
  return {
    url,
    stderr: (pattern) => until(() => pattern.exec(err)?.[1], `stderr to match ${pattern}`),
    lines: (n) =>
      until(() => {
        if (newlines + 1 < n) return undefined;
        const lines = Buffer.concat(out)
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '');
        return lines.length >= n ? lines : undefined;
      }, `${n} lines of output`),
    signal: (name) => child.kill(name),
    exited,
  };
}

/** `listen(args)` for a test file: `listen --port 0 …` with `env`, each one killed after its test. */
export function listenEach(env: NodeJS.ProcessEnv): (args: string[]) => RunningCli {
  let running: RunningCli[] = [];
  afterEach(() => {
    for (const cli of running) cli.signal('SIGKILL');
    running = [];
  });
  return (args) => {
    const cli = startCli(['listen', '--port', '0', ...args], { env });
    running.push(cli);
    return cli;
  };
}
