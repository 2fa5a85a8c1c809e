import { constants, type Stats } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatCount } from './text.js';

/**
 * Safe file-system steps for paths a user names (issue 13, item 23): making a directory without
 * Node's recursive mkdir, which retries for ever on paths such as /proc/x, and reading a small file
 * without blocking on a FIFO or swallowing a device. The core never prints: a refusal is thrown as a
 * FileRefused in words, and describeFsError puts any other file-system error into words.
 */

export type RefusalReason = 'symlink' | 'fifo' | 'not-a-file' | 'too-large' | 'not-a-directory' | 'cannot-create';

/** A path this module will not use, said in words (not a system error code). */
export class FileRefused extends Error {
  constructor(
    message: string,
    readonly reason: RefusalReason,
  ) {
    super(message);
    this.name = 'FileRefused';
  }
}

// Not defined on Windows, where neither FIFOs nor O_NOFOLLOW exist in this form.
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Creates `path` and any missing parents, one level at a time from the root: at most a few system
 * calls per path component, so it always ends. A component that exists and is not a directory, or
 * a parent that refuses new entries, is a FileRefused naming that component.
 */
export async function makeDir(path: string, mode = 0o777): Promise<void> {
  const target = resolve(path);
  if ((await kindAt(target)) === 'a directory') return;
  const chain = [target];
  while (dirname(chain[0]!) !== chain[0]) chain.unshift(dirname(chain[0]!));
  for (const dir of chain) {
    const kind = await kindAt(dir);
    if (kind === 'a directory') continue;
    if (kind !== undefined) throw new FileRefused(`${dir} is ${kind}, not a directory`, 'not-a-directory');
    try {
      await mkdir(dir, { mode });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST' && (await kindAt(dir)) === 'a directory') continue; // another process made it meanwhile
      if (code === 'EEXIST')
        throw new FileRefused(`${dir} exists but is not a directory (a broken symbolic link?)`, 'not-a-directory');
      // ENOENT though the parent exists: a file system such as /proc that holds no new directories.
      if (code === 'ENOENT') throw new FileRefused(`${dirname(dir)} does not allow new directories`, 'cannot-create');
      throw error;
    }
  }
}

export interface SmallFile {
  bytes: Buffer;
  /** Of the file that was read (fstat of the open handle), for mode checks without a race. */
  stats: Stats;
}

export interface SmallFileOptions {
  /** The most bytes read; a larger file is refused. */
  limit: number;
  /** false: a symbolic link at the path itself is refused instead of followed. */
  followLinks?: boolean;
}

/**
 * The bytes of a regular file of at most `limit` bytes. A FIFO, device, socket or directory is
 * refused without blocking: the open is non-blocking (a FIFO opens at once, with or without a
 * writer) and fstat of that handle decides, so nothing can be swapped in between a check and the read.
 */
export async function readSmallFile(path: string, { limit, followLinks = true }: SmallFileOptions): Promise<SmallFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW));
  } catch (error) {
    // O_NOFOLLOW on a link fails with ELOOP (EMLINK on FreeBSD).
    const code = errorCode(error);
    if (!followLinks && (code === 'ELOOP' || code === 'EMLINK'))
      throw new FileRefused('it is a symbolic link', 'symlink');
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw new FileRefused(`it is ${kindOf(stats)}, not a regular file`, stats.isFIFO() ? 'fifo' : 'not-a-file');
    if (stats.size > limit) throw tooLarge(`${formatCount(stats.size)} bytes`, limit);
    const bytes = await readUpTo(handle, limit + 1, stats.size + 1);
    // Past the limit although its size said otherwise: it grew, or it is a /proc-like file of size 0.
    if (bytes.length > limit) throw tooLarge('larger', limit);
    return { bytes, stats };
  } finally {
    await handle.close();
  }
}

/** At most `max` bytes from the handle's position, reading `first` bytes, then 64 KiB at a time. */
async function readUpTo(handle: FileHandle, max: number, first: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let want = Math.min(first, max);
  while (total < max) {
    const chunk = Buffer.allocUnsafe(Math.min(want, max - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    want = 64 * 1024;
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(size: string, limit: number): FileRefused {
  return new FileRefused(`it is ${size}, over the limit of ${formatCount(limit)} bytes`, 'too-large');
}

/** "a directory", "a FIFO (named pipe)", … or undefined when nothing is there. */
async function kindAt(path: string): Promise<string | undefined> {
  try {
    return kindOf(await stat(path));
  } catch (error) {
    // ENOTDIR: a parent is a file; the walk in makeDir then names that parent.
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

export function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a file or directory';
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// Words for the errors a user meets with paths; a message never shows a bare EEXIST (issue 13, item 23).
const WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'it already exists',
  ELOOP: 'too many symbolic links (a link that points to itself?)',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'it is busy',
  EIO: 'an input/output error',
  EXDEV: 'it is on another file system',
  ENXIO: 'no such device, or no reader at the other end',
  ENODEV: 'no such device',
  EAGAIN: 'it is not ready (try again)',
  ETXTBSY: 'it is a program that is running',
  ENOTEMPTY: 'the directory is not empty',
  EFBIG: 'the file is too large',
  EMLINK: 'too many links',
  EINVAL: 'the system refused the operation as invalid',
  ENOMEM: 'out of memory',
  EOPNOTSUPP: 'the file system does not support it',
  ENOTSUP: 'the file system does not support it',
  ESPIPE: 'it is a pipe, not a file',
  EBADF: 'the file was closed',
  EINTR: 'interrupted',
};

/** A file-system error in words: a FileRefused as it says, a known errno from the table, else the system's own words. */
export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  // Node's message is "ECODE: words, syscall 'path'": keep the words when the table has none.
  const words = WORDS[code] ?? /^[A-Z0-9_]+: ([^,]+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return words ?? `system error ${code}`;
}
