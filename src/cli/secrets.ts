import { isUtf8 } from 'node:buffer';
import { InputError } from '../base/errors.js';
import { describeFsError, FileRefused, readSmallFile } from '../base/files.js';
import { plural } from '../base/text.js';
import { devSecretPath, loadDevSecret, readDevSecret, SECRET_FILE_LIMIT } from './dev-secret.js';
import type { Ui } from './io.js';

export type SecretSourceKind = 'flag' | 'file' | 'env' | 'dev';

export interface ResolvedSecret {
  secret: string;
  source: SecretSourceKind;
  /** Where it came from, for the "secret: …" line; never the secret itself. */
  origin: string;
}

/** One --secret or --secret-file; `from` is the config file that named the file (cli/config.ts). */
export type SecretSource = { kind: 'flag'; secret: string } | { kind: 'file'; path: string; from?: string };

export interface SecretsOptions {
  /** Both flags in the order given on the command line: secret #1 is the first of either (issue 13, item 17). */
  sources: readonly SecretSource[];
}

export const SECRET_ENV = 'OBLIC_WEBHOOK_SECRET';

/**
 * `--secret`, else `--secret-file`, else OBLIC_WEBHOOK_SECRET, else the local development secret,
 * which is created only when `createDev` (verifying never needs a brand-new secret). For checking
 * signatures, where several secrets may be live during a rotation, `all` takes every --secret and
 * --secret-file given. An empty value given on purpose is an error, not a silent fallback.
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
      const from = source.from === undefined ? '' : ` named in ${source.from}`;
      out.push({
        secret: await readSecretFile(source.path),
        source: 'file',
        origin: `the secret file ${source.path}${from}`,
      });
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
    return [fromDevSecret({ secret: existing, path })];
  }
  return [fromDevSecret(await loadDevSecret(env))];
}

/** The development secret as a resolved one: the one place its origin is put into words. */
export function fromDevSecret(dev: { secret: string; path: string }): ResolvedSecret {
  return { secret: dev.secret, source: 'dev', origin: `the development secret in ${dev.path}` };
}

/**
 * The one secret a command signs with, said on stderr with where it came from (`signing with
 * --secret (…abcd)`); never the secret itself.
 */
export async function useSecret(ui: Ui, sources: readonly SecretSource[], verb: string): Promise<ResolvedSecret> {
  const [resolved] = await resolveSecrets({ sources }, ui.io.env, { createDev: true, all: false });
  ui.say(ui.err.dim(`${verb} with ${describeSecrets([resolved!])}`));
  return resolved!;
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

/** The last four characters at most, and none of a short secret, for messages that name a secret. */
function describeSecret(secret: string): string {
  return secret.length >= 12 ? `…${secret.slice(-4)}` : plural(secret.length, 'character');
}

/**
 * Secrets named for a message, each as `<origin> (…abcd)`: joined with "and", or, `numbered`, as
 * `2 secrets: #1 …, #2 …` so that "secret #2" in a verdict can be looked up (issue 13, item 17).
 */
export function describeSecrets(secrets: readonly ResolvedSecret[], { numbered = false } = {}): string {
  const each = secrets.map((s) => `${s.origin} (${describeSecret(s.secret)})`);
  if (!numbered || each.length === 1) return each.join(' and ');
  return `${each.length} secrets: ${each.map((text, i) => `#${i + 1} ${text}`).join(', ')}`;
}
