import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FAKE_CURL = fileURLToPath(new URL('./fake-curl.mjs', import.meta.url));

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let folder: string | undefined;

/**
 * A folder holding an executable `curl` that is fake-curl.mjs run by this Node, made once per test
 * file, so the tests need no curl on the machine (issue 14). Put it first on PATH.
 */
export function fakeCurlFolder(): string {
  if (folder) return folder;
  folder = mkdtempSync(join(tmpdir(), 'oblic-hooks-curl-'));
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  writeFileSync(join(folder, 'curl'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(FAKE_CURL)} "$@"\n`, {
    mode: 0o755,
  });
  return folder;
}

/** The environment a child gets with the stand-in curl first on PATH. */
export function withFakeCurl(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: [fakeCurlFolder(), env.PATH].filter(Boolean).join(delimiter) };
}

/**
 * Runs a command as a person pasting it into `shell` would, fed as bytes on standard input (a header
 * value may be Latin-1), with the stand-in curl first on PATH.
 */
export function runInShell(command: Buffer, shell: 'sh' | 'bash' = 'sh'): Promise<ShellResult> {
  const child = spawn(shell, ['-s'], { env: withFakeCurl(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(command);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
