import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDevSecret, rotateDevSecret } from '../src/cli/dev-secret.js';

// Issue 13, item 24: the development secret's directory, in process, with the uid injected (the
// tests run as root in CI, where every directory would otherwise be "yours").

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'oblic-devsecret-'));
}

describe('the development secret directory (issue 13, item 24)', () => {
  const uid = process.getuid?.() ?? 0;

  it('loadDevSecret() refuses a directory that belongs to another uid', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'oblic-hooks'), { mode: 0o700 });
    const env = { XDG_CONFIG_HOME: home };
    await expect(loadDevSecret(env, uid + 1)).rejects.toThrow(
      `${join(home, 'oblic-hooks')} belongs to uid ${uid}, not to you (uid ${uid + 1}); set $XDG_CONFIG_HOME to a directory of your own, or pass --secret-file`,
    );
    await expect(rotateDevSecret(env, uid + 1)).rejects.toThrow(`belongs to uid ${uid}, not to you`);
    expect((await loadDevSecret(env, uid)).created).toBe(true);
  });

  it('loadDevSecret() refuses a directory others can write, with a chmod of that directory', async () => {
    const home = tempDir();
    const dir = join(home, 'oblic-hooks');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await expect(loadDevSecret({ XDG_CONFIG_HOME: home }, uid)).rejects.toThrow(
      `${dir} is writable by other users (mode 0777); run \`chmod 700 ${dir}\``,
    );
  });
});
