import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * Spawns the real built binary, as a user would run it. The environment is clean of colour and
 * secret variables unless a test sets them.
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(options.env),
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin.end(options.input ?? '');
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
  });
  const out: Buffer[] = [];
  let err = '';
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
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
