import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { InputError } from '../errors.js';
import { describeFsError, describeSecret, resolveSecret, type ResolvedSecret } from '../secret.js';
import type { Ui } from '../ui.js';

export type UiFactory = () => Promise<Ui>;

export interface SecretFlags {
  secret?: string;
  secretFile?: string;
}

export function addSecretOptions(command: Command): Command {
  return command
    .addOption(new Option('--secret <secret>', 'the endpoint secret (visible in ps and shell history: prefer the file or env var)'))
    .addOption(new Option('--secret-file <path>', 'read the secret from a file (one trailing newline is ignored)'))
    .addHelpText(
      'after',
      '\nThe secret is --secret, else --secret-file, else $OBLIC_WEBHOOK_SECRET, else the local development\nsecret (see `oblic-hooks secret`).',
    );
}

/** Resolves the secret and says on stderr where it came from (never the secret: its last four characters at most). */
export async function useSecret(ui: Ui, flags: SecretFlags, verb: string): Promise<ResolvedSecret> {
  const resolved = await resolveSecret({ secret: flags.secret, secretFile: flags.secretFile }, ui.io.env);
  ui.say(ui.err.dim(`${verb} with ${resolved.origin} (${describeSecret(resolved.secret)})`));
  return resolved;
}

/** A whole number in [min, max] for a flag, or an InputError naming the flag. */
export function parseIntFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InputError(`${flag} "${value}" must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A flag that takes one value: given twice it is an InputError, not "the last one wins" (issue 13, item 20). */
export function once(flag: string): (value: string, previous: string | undefined) => string {
  return (value, previous) => {
    if (previous !== undefined) throw new InputError(`${flag} is given twice ("${previous}" and "${value}"); give it once`);
    return value;
  };
}

/**
 * The bytes of a file, or of standard input for "-". A terminal on standard input would wait for
 * typing forever, so that is an InputError with `ttyMessage`. `label` names the input in errors.
 */
export async function readBytes(path: string, ui: Ui, label: string, ttyMessage: string): Promise<Buffer> {
  if (path === '-') {
    if (ui.io.stdin.isTTY) throw new InputError(ttyMessage);
    const chunks: Buffer[] = [];
    for await (const chunk of ui.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(path);
  } catch (error) {
    throw new InputError(`cannot read ${label}: ${describeFsError(error)}`);
  }
}
