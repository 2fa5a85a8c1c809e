import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../base/errors.js';
import { describeFsError, errorCode, FileRefused, kindOf, makeDir, readSmallFile } from '../base/files.js';
import { plural, shellArg } from '../base/text.js';

// Modules that name file errors import it from here; it lives with the other file helpers.
export { describeFsError };

export type SecretSourceKind = 'flag' | 'file' | 'env' | 'dev';

export interface ResolvedSecret {
  secret: string;
  source: SecretSourceKind;
  /** Where it came from, for the "secret: …" line; never the secret itself. */
  origin: string;
}

export interface SecretOptions {
  secret?: string | undefined;
  secretFile?: string | undefined;
}

export const SECRET_ENV = 'OBLIC_WEBHOOK_SECRET';
const SECRET_PREFIX = 'oblicdev_';
/** The way round a development secret that cannot be used: every message about one ends with it. */
const ELSEWHERE = 'set $XDG_CONFIG_HOME to a directory of your own, or pass --secret-file';
/** The largest secret file read, --secret-file's or the development one: a secret is a line, not a document. */
const SECRET_FILE_LIMIT = 4096;

/** `$XDG_CONFIG_HOME/oblic-hooks`, else `~/.config/oblic-hooks`. */
export function configDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'oblic-hooks');
}

export function devSecretPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'secret');
}

/**
 * `--secret`, else `--secret-file`, else OBLIC_WEBHOOK_SECRET, else the local development secret
 * (created on first use). An empty value given on purpose is an error, not a silent fallback.
 */
export async function resolveSecret(
  options: SecretOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedSecret> {
  const sources: SecretSource[] = [];
  if (options.secret !== undefined) sources.push({ kind: 'flag', secret: options.secret });
  if (options.secretFile !== undefined) sources.push({ kind: 'file', path: options.secretFile });
  const [first] = await resolveSecrets({ sources }, env, { createDev: true, all: false });
  return first!;
}

/** One --secret or --secret-file. */
export type SecretSource = { kind: 'flag'; secret: string } | { kind: 'file'; path: string };

export interface SecretsOptions {
  /** Both flags in the order given on the command line: secret #1 is the first of either (issue 13, item 17). */
  sources: readonly SecretSource[];
}

/**
 * For checking signatures, where several secrets may be live during a rotation: every --secret and
 * --secret-file given (`all`), else the first of them, else the environment, else the development
 * secret, which is created only when `createDev` (verifying never needs a brand-new secret).
 */
export async function resolveSecrets(
  options: SecretsOptions,
  env: NodeJS.ProcessEnv,
  { createDev, all }: { createDev: boolean; all: boolean },
): Promise<ResolvedSecret[]> {
  // One secret wanted: --secret wins over --secret-file, and no other file is read.
  const first = options.sources.find((s) => s.kind === 'flag') ?? options.sources[0];
  const chosen = all ? options.sources : first === undefined ? [] : [first];
  const out: ResolvedSecret[] = [];
  for (const source of chosen) {
    if (source.kind === 'file') {
      out.push({ secret: await readSecretFile(source.path), source: 'file', origin: `the secret file ${source.path}` });
    } else if (source.secret === '') {
      throw new InputError('--secret is empty; pass the endpoint secret, or drop the flag');
    } else {
      out.push({ secret: source.secret, source: 'flag', origin: '--secret' });
    }
  }
  if (out.length > 0) return out;
  const fromEnv = env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return [{ secret: fromEnv, source: 'env', origin: `$${SECRET_ENV}` }];
  if (!createDev) {
    const path = devSecretPath(env);
    const existing = await readDevSecret(path);
    if (existing === undefined) {
      throw new InputError(
        `no secret to check with: pass --secret or --secret-file, or set $${SECRET_ENV} (no development secret in ${path} yet)`,
      );
    }
    return [{ secret: existing, source: 'dev', origin: `the development secret in ${path}` }];
  }
  const dev = await loadDevSecret(env);
  return [{ secret: dev.secret, source: 'dev', origin: `the development secret in ${dev.path}` }];
}

/** Secrets the user did not choose but may have signed with by mistake, for hints; never created, never an error. */
export async function fallbackSecrets(env: NodeJS.ProcessEnv): Promise<Array<{ label: string; secret: string }>> {
  const out: Array<{ label: string; secret: string }> = [];
  const fromEnv = env[SECRET_ENV];
  if (fromEnv) out.push({ label: `$${SECRET_ENV}`, secret: fromEnv });
  const dev = await readDevSecret(devSecretPath(env)).catch(() => undefined);
  if (dev) out.push({ label: 'the local development secret (oblic-hooks secret)', secret: dev });
  return out;
}

/**
 * A secret file holds the secret as is; one trailing newline (as `echo` writes) is not part of it.
 * A symbolic link is followed, as Kubernetes and Docker mount secrets as links, and the checks (a
 * regular file of at most SECRET_FILE_LIMIT bytes of UTF-8) apply to its target (issue 13, item 24).
 */
export async function readSecretFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    ({ bytes } = await readSmallFile(path, { limit: SECRET_FILE_LIMIT }));
  } catch (error) {
    // A pipe (`--secret-file <(pass show …)`) is refused rather than read with no bound in time: the
    // environment variable takes a command's output as well.
    const fix =
      error instanceof FileRefused && error.reason === 'fifo'
        ? `; for a command's output use ${SECRET_ENV}="$(command)" instead`
        : '';
    throw new InputError(`cannot read the secret file ${path}: ${describeFsError(error)}${fix}`);
  }
  if (!isUtf8(bytes))
    throw new InputError(`the secret file ${path} is not UTF-8 text; an Oblic secret is text: save it as UTF-8`);
  // The secret is used literally, so a byte order mark an editor added would silently be part of it.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new InputError(
      `the secret file ${path} starts with a UTF-8 byte order mark (an editor added it); save it without one ("UTF-8", not "UTF-8 with BOM")`,
    );
  }
  const secret = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (secret === '') throw new InputError(`the secret file ${path} is empty; put the endpoint secret in it`);
  return secret;
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

/** The last four characters at most, and none of a short secret, for messages that name a secret. */
export function describeSecret(secret: string): string {
  return secret.length >= 12 ? `…${secret.slice(-4)}` : plural(secret.length, 'character');
}

/**
 * The development secret, or undefined when there is none yet. A symbolic link (at the file or its
 * directory) is refused, and so is a directory another user owns or can write: either would let
 * someone else choose the secret, and a suggested `chmod` would change a link's target (issue 13, item 24).
 */
async function readDevSecret(path: string, uid: number | undefined = process.getuid?.()): Promise<string | undefined> {
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
