import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../base/errors.js';
import { describeFsError, errorCode, FileRefused, kindOf, makeDir, readSmallFile } from '../base/files.js';
import { shellArg } from '../base/text.js';

// The local development secret: one file, mode 0600, in a directory only its user can write, made
// on first use so that send, sign, verify and listen agree with no set-up.

const SECRET_PREFIX = 'oblicdev_';
/** The way round a development secret that cannot be used: every message about one ends with it. */
const ELSEWHERE = 'set $XDG_CONFIG_HOME to a directory of your own, or pass --secret-file';
/** The largest secret file read, --secret-file's or the development one: a secret is a line, not a document. */
export const SECRET_FILE_LIMIT = 4096;

/** `$XDG_CONFIG_HOME/oblic-hooks`, else `~/.config/oblic-hooks`. */
export function configDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'oblic-hooks');
}

export function devSecretPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'secret');
}

export interface DevSecret {
  secret: string;
  path: string;
  created: boolean;
}

/**
 * Reads the development secret, creating it (mode 0600) on first use. `uid` is whose directory it
 * must be (the current user's; injectable for tests, undefined where there are no uids).
 */
export async function loadDevSecret(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): Promise<DevSecret> {
  const path = devSecretPath(env);
  const existing = await readDevSecret(path, uid);
  if (existing !== undefined) return { secret: existing, path, created: false };
  const secret = newDevSecret();
  const tmp = await writePrivate(path, secret, uid);
  try {
    // link() never overwrites: if another process created the secret meanwhile, theirs wins.
    await link(tmp, path);
    return { secret, path, created: true };
  } catch (error) {
    if (errorCode(error) !== 'EEXIST')
      throw new InputError(`cannot create ${path}: ${describeFsError(error)}; ${ELSEWHERE}`);
    const theirs = await readDevSecret(path, uid);
    if (theirs === undefined) throw new InputError(`cannot read ${path}`);
    return { secret: theirs, path, created: false };
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Replaces the development secret; signatures made with the old one stop verifying. */
export async function rotateDevSecret(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): Promise<DevSecret> {
  const path = devSecretPath(env);
  const secret = newDevSecret();
  const tmp = await writePrivate(path, secret, uid);
  await rename(tmp, path); // replaces a link at `path` itself, never its target
  return { secret, path, created: true };
}

/** 32 random bytes, base64url, behind a prefix that says what the string is when it turns up in a paste. */
export function newDevSecret(bytes: Buffer = randomBytes(32)): string {
  return SECRET_PREFIX + bytes.toString('base64url');
}

/**
 * The development secret, or undefined when there is none yet. A symbolic link (at the file or its
 * directory) is refused, and so is a directory another user owns or can write: either would let
 * someone else choose the secret, and a suggested `chmod` would change a link's target (issue 13, item 24).
 */
export async function readDevSecret(
  path: string,
  uid: number | undefined = process.getuid?.(),
): Promise<string | undefined> {
  if (!(await checkDevDir(dirname(path), uid))) return undefined;
  let file;
  try {
    file = await readSmallFile(path, { limit: SECRET_FILE_LIMIT, followLinks: false });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    if (error instanceof FileRefused && error.reason === 'symlink') {
      throw new InputError(
        `${path} is a symbolic link; the development secret must be a file of its own: remove the link (\`rm ${shellArg(path)}\`, its target stays) and run \`oblic-hooks secret\``,
      );
    }
    throw new InputError(
      `cannot read ${path}: ${describeFsError(error)}; move it away and run \`oblic-hooks secret\` to make a new one, or ${ELSEWHERE}`,
    );
  }
  if (process.platform !== 'win32' && (file.stats.mode & 0o077) !== 0) {
    throw new InputError(
      `${path} is readable by other users (mode ${modeOf(file.stats.mode)}); run \`chmod 600 ${shellArg(path)}\``,
    );
  }
  if (!isUtf8(file.bytes))
    throw new InputError(`${path} is not UTF-8 text; run \`oblic-hooks secret --rotate\` to make a new one`);
  const text = file.bytes.toString('utf8').trim();
  if (text === '') throw new InputError(`${path} is empty; run \`oblic-hooks secret --rotate\` to make a new one`);
  return text;
}

/** True when `dir` is a real directory of the user's that no one else can write; false when it does not exist. */
async function checkDevDir(dir: string, uid: number | undefined): Promise<boolean> {
  let info;
  try {
    info = await lstat(dir); // lstat: a link here is refused, not followed
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw new InputError(`cannot use ${dir}: ${describeFsError(error)}; ${ELSEWHERE}`);
  }
  if (info.isSymbolicLink())
    throw new InputError(
      `${dir} is a symbolic link; the development secret must be in a directory of its own: ${ELSEWHERE}`,
    );
  if (!info.isDirectory()) throw new InputError(`${dir} is ${kindOf(info)}, not a directory; ${ELSEWHERE}`);
  if (process.platform === 'win32') return true;
  if (uid !== undefined && info.uid !== uid)
    throw new InputError(`${dir} belongs to uid ${info.uid}, not to you (uid ${uid}); ${ELSEWHERE}`);
  if ((info.mode & 0o022) !== 0)
    throw new InputError(
      `${dir} is writable by other users (mode ${modeOf(info.mode)}); run \`chmod 700 ${shellArg(dir)}\``,
    );
  return true;
}

function modeOf(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

async function writePrivate(path: string, secret: string, uid: number | undefined): Promise<string> {
  const dir = dirname(path);
  try {
    await makeDir(dir, 0o700);
  } catch (error) {
    throw new InputError(`cannot write the development secret in ${dir}: ${describeFsError(error)}; ${ELSEWHERE}`);
  }
  await checkDevDir(dir, uid);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o600); // O_EXCL: never through a link
    try {
      await handle.chmod(0o600); // a umask cannot loosen it, but be explicit
      await handle.writeFile(`${secret}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  } catch (error) {
    throw new InputError(`cannot write the development secret in ${dir}: ${describeFsError(error)}; ${ELSEWHERE}`);
  }
}
