import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Real npm, as a user types it, with the network shut: every call is `--offline` through the
// environment, so npm answers only from its cache (~/.npm, which `npm install` in the clone filled)
// and fails with ENOTCACHED rather than reach a registry.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: PATH without any node_modules/.bin that `npm test` put first
 * (so a command can only be found where the step under test put it), HOME for npm's cache, and
 * none of the npm_* variables of the running `npm test`, which would name this package.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules/.bin'))
    .join(delimiter);
  return {
    PATH: path,
    HOME: process.env.HOME,
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    ...extra,
  };
}

/** Runs `command args` in `cwd` and resolves with its exit code and output, whatever the code. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<Ran> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
}

/**
 * Gives the app at `dir` a lockfile that already holds this package's runtime dependencies, as
 * the clone's lockfile resolves them (name, version, tarball URL, integrity). Why: npm 11 resolves a
 * new dependency's dependencies from their full registry documents, and the clone's `npm install`
 * never fetched those (it installed from its lockfile, by tarball URL and integrity), so the cache
 * holds the tarballs but not the documents and `npm install --offline <tarball>` into an empty app
 * fails with ENOTCACHED. With the entries in the app's lockfile, npm takes them from there and the
 * tarballs from the cache, offline. An app that already has them in its lockfile is in this state.
 */
export function seedLockfile(dir: string): string[] {
  const clone = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const app = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  const packages: Record<string, unknown> = { '': { name: app.name, version: app.version } };
  for (const [path, entry] of Object.entries(clone.packages))
    if (path.startsWith('node_modules/') && !entry.dev && !entry.devOptional) packages[path] = entry;
  const lock = { name: app.name, version: app.version, lockfileVersion: 3, requires: true, packages };
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  return Object.keys(packages).filter((path) => path !== '');
}
