import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFsError, FileRefused, makeDir, readSmallFile } from '../src/base/files.js';

// Issue 13, item 23: the shared file helpers (src/base/files.ts), in process.

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'oblic-files-'));
}

/** A real FIFO: node:fs has no mkfifo, coreutils does. */
function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

function errnoError(code: string, message = `${code}: something, open '/x'`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

describe('makeDir() (issue 13, item 23)', () => {
  it('makeDir() creates every missing level with the mode given', async () => {
    const dir = join(tempDir(), 'a', 'b', 'c');
    await makeDir(dir, 0o700);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(join(dir, '..')).mode & 0o777).toBe(0o700);
    await makeDir(dir, 0o700); // already there: nothing to do
  });

  it('makeDir() under /proc ends with a refusal in words instead of spinning', async () => {
    await expect(makeDir('/proc/nope/deeper')).rejects.toThrow(
      new FileRefused('/proc does not allow new directories', 'cannot-create'),
    );
  });

  it('makeDir() through a regular file names that file', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'x');
    await expect(makeDir(join(file, 'sub'))).rejects.toThrow(`${file} is a regular file, not a directory`);
    await expect(makeDir(file)).rejects.toThrow(`${file} is a regular file, not a directory`);
  });
});

describe('readSmallFile() (issue 13, items 23 and 24)', () => {
  it('readSmallFile() refuses a FIFO at once, with no writer at the other end', async () => {
    const path = fifo(join(tempDir(), 'fifo'));
    await expect(readSmallFile(path, { limit: 4096 })).rejects.toThrow('it is a FIFO (named pipe), not a regular file');
  });

  it('readSmallFile() refuses a directory and a device', async () => {
    await expect(readSmallFile(tempDir(), { limit: 4096 })).rejects.toThrow('it is a directory, not a regular file');
    await expect(readSmallFile('/dev/zero', { limit: 4096 })).rejects.toThrow('it is a device, not a regular file');
  });

  it('readSmallFile() reads up to the limit and refuses one byte more', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'exact'), Buffer.alloc(4096, 'a'));
    writeFileSync(join(dir, 'over'), Buffer.alloc(4097, 'a'));
    expect((await readSmallFile(join(dir, 'exact'), { limit: 4096 })).bytes.length).toBe(4096);
    await expect(readSmallFile(join(dir, 'over'), { limit: 4096 })).rejects.toThrow(
      'it is 4,097 bytes, over the limit of 4,096 bytes',
    );
  });

  it('readSmallFile() follows a link unless told not to', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'target'), 'text');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    expect((await readSmallFile(join(dir, 'link'), { limit: 100 })).bytes.toString()).toBe('text');
    await expect(readSmallFile(join(dir, 'link'), { limit: 100, followLinks: false })).rejects.toThrow(
      new FileRefused('it is a symbolic link', 'symlink'),
    );
  });
});

describe('describeFsError() (issue 13, item 23)', () => {
  it('describeFsError() says every common errno in words, never the bare code', () => {
    const codes = [
      'ENOENT',
      'EACCES',
      'EPERM',
      'EISDIR',
      'ENOTDIR',
      'EEXIST',
      'ELOOP',
      'ENAMETOOLONG',
      'EROFS',
      'ENOSPC',
      'EDQUOT',
      'EMFILE',
      'EBUSY',
      'EIO',
      'EXDEV',
      'ENXIO',
    ];
    for (const code of codes) {
      const words = describeFsError(errnoError(code));
      expect(words).not.toMatch(/\bE[A-Z]{2,}\b/);
      expect(words.length).toBeGreaterThan(5);
    }
    expect(describeFsError(errnoError('EEXIST'))).toBe('it already exists');
    expect(describeFsError(errnoError('ENOTDIR'))).toBe('a part of the path is not a directory');
  });

  it("describeFsError() falls back to the system's own words for a rare code", () => {
    expect(describeFsError(errnoError('ECONNRESET', "ECONNRESET: connection reset by peer, read '/x'"))).toBe(
      'connection reset by peer',
    );
    expect(describeFsError(errnoError('EWHATEVER', 'no usual shape'))).toBe('system error EWHATEVER');
  });
});
