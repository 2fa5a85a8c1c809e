import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { makeDir, readSmallFile } from '../base/files.js';
import { configDir } from './dev-secret.js';

// Where `listen --save` last stored captures, so that `replay --last` and `replay <event-id>` find
// them from any directory with no flag (issue 18). A hint, not a setting: it is written when a
// listener starts with --save, and a listener never fails because it could not be written.

/** The directory `listen --save` last used, as an absolute path, and when that listener started. */
export interface LastSave {
  dir: string;
  at: Date;
}

export function lastSavePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'last-save.json');
}

/** Remembers `dir` (made absolute against the current directory); errors are ignored. */
export async function rememberSaveDir(dir: string, env: NodeJS.ProcessEnv, now: Date = new Date()): Promise<void> {
  const path = lastSavePath(env);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await makeDir(configDir(env), 0o700);
    const handle = await open(tmp, 'wx', 0o600); // O_EXCL: never written through a link
    try {
      await handle.writeFile(`${JSON.stringify({ dir: resolve(dir), at: now.toISOString() })}\n`);
    } finally {
      await handle.close();
    }
    await rename(tmp, path); // a reader sees the old record or the new one, never half of one
  } catch {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The remembered directory, or undefined when there is none or the record cannot be read. */
export async function recallSaveDir(env: NodeJS.ProcessEnv): Promise<LastSave | undefined> {
  try {
    const file = await readSmallFile(lastSavePath(env), { limit: 16 * 1024, followLinks: false });
    const value = JSON.parse(file.bytes.toString('utf8')) as { dir?: unknown; at?: unknown } | null;
    if (typeof value?.dir !== 'string' || !isAbsolute(value.dir) || typeof value.at !== 'string') return undefined;
    const at = new Date(value.at);
    return Number.isNaN(at.getTime()) ? undefined : { dir: value.dir, at };
  } catch {
    return undefined;
  }
}
