import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './errors.js';
import { plural } from './text.js';

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

/** `$XDG_CONFIG_HOME/oblic-hooks`, else `~/.config/oblic-hooks`. */
export function configDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'oblic-hooks');
}

export function devSecretPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'secret');
}

/**
 * `--secret`, else `--secret-file`, else OBLIC_WEBHOOK_SECRET, else the local development secret
 * (created on first use). An empty value given on purpose is an error, not a silent fallback.
 */
export async function resolveSecret(options: SecretOptions, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedSecret> {
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
      throw new InputError(`no secret to check with: pass --secret or --secret-file, or set $${SECRET_ENV} (no development secret in ${path} yet)`);
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

/** A secret file holds the secret as is; one trailing newline (as `echo` writes) is not part of it. */
export async function readSecretFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the secret file ${path}: ${describeFsError(error)}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new InputError(`the secret file ${path} is empty; put the endpoint secret in it`);
  return secret;
}

export interface DevSecret {
  secret: string;
  path: string;
  created: boolean;
}

/** Reads the development secret, creating it (mode 0600) on first use. */
export async function loadDevSecret(env: NodeJS.ProcessEnv = process.env): Promise<DevSecret> {
  const path = devSecretPath(env);
  const existing = await readDevSecret(path);
  if (existing !== undefined) return { secret: existing, path, created: false };
  const secret = newDevSecret();
  const tmp = await writePrivate(path, secret);
  try {
    // link() never overwrites: if another process created the secret meanwhile, theirs wins.
    await link(tmp, path);
    return { secret, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`cannot create ${path}: ${describeFsError(error)}`);
    const theirs = await readDevSecret(path);
    if (theirs === undefined) throw new InputError(`cannot read ${path}`);
    return { secret: theirs, path, created: false };
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Replaces the development secret; signatures made with the old one stop verifying. */
export async function rotateDevSecret(env: NodeJS.ProcessEnv = process.env): Promise<DevSecret> {
  const path = devSecretPath(env);
  const secret = newDevSecret();
  const tmp = await writePrivate(path, secret);
  await rename(tmp, path);
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

async function readDevSecret(path: string): Promise<string | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new InputError(`${path} is readable by other users (mode ${mode}); run \`chmod 600 ${path}\``);
  }
  const text = (await readFile(path, 'utf8')).trim();
  if (text === '') throw new InputError(`${path} is empty; run \`oblic-hooks secret --rotate\` to make a new one`);
  return text;
}

async function writePrivate(path: string, secret: string): Promise<string> {
  const dir = join(path, '..');
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${secret}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tmp, 0o600); // a umask cannot loosen it, but be explicit
    return tmp;
  } catch (error) {
    throw new InputError(`cannot write the development secret in ${dir}: ${describeFsError(error)}`);
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
