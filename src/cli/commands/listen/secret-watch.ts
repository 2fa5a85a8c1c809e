import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readDevSecret } from '../../dev-secret.js';
import type { ResolvedSecret } from '../../secrets.js';

/**
 * While `listen` verifies with the development secret, watches its file (its directory, as a
 * rotation replaces the file) and calls `changed` once the secret there is no longer the one this
 * listener read at start, as after `oblic-hooks secret --rotate` in another terminal: every later
 * delivery signed with the new one would fail with no word why. Event-driven (inotify), no polling.
 */
export function watchDevSecret(
  secrets: readonly ResolvedSecret[],
  path: string,
  changed: () => void,
): { close(): void } {
  const used = secrets.find((secret) => secret.source === 'dev');
  if (!used) return { close() {} };
  let watcher: FSWatcher | undefined;
  let said = false;
  const recheck = () => {
    readDevSecret(path).then(
      (now) => {
        if (said || now === undefined || now === used.secret) return;
        said = true;
        changed();
      },
      () => undefined, // unreadable for a moment (mid-rotation): the next event tells
    );
  };
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === basename(path)) recheck();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // A directory that cannot be watched (too many watches): no notice, nothing else changes.
  }
  return { close: () => watcher?.close() };
}
