import { open } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { InputError, OblicHooksError } from '../base/errors.js';
import { describeFsError, describeSecret, resolveSecret, type ResolvedSecret } from './secrets.js';
import type { Ui } from './io.js';
import { parseDuration } from './units.js';

export type UiFactory = () => Promise<Ui>;

export interface SecretFlags {
  secret?: string;
  secretFile?: string;
}

export function addSecretOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--secret <secret>',
        'the endpoint secret (visible in ps and shell history: prefer the file or env var)',
      ),
    )
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

/** --timeout of send and replay: a duration above 0. */
export function parseTimeout(text: string): number {
  const ms = parseDuration(text, '--timeout');
  if (ms <= 0) throw new InputError('--timeout must be above 0');
  return ms;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A flag that takes one value: given twice it is an InputError, not "the last one wins" (issue 13, item 20). */
export function once(flag: string): (value: string, previous: string | undefined) => string {
  return (value, previous) => {
    if (previous !== undefined)
      throw new InputError(`${flag} is given twice ("${previous}" and "${value}"); give it once`);
    return value;
  };
}

/**
 * The most any command reads into memory (a capture, --data, standard input): past it the input is
 * refused, not read on (issue 13, item 9; `/dev/zero` once grew to gigabytes and crashed).
 */
const MAX_INPUT = 64 * 1024 * 1024;
export const MAX_INPUT_TEXT = `${MAX_INPUT / 1024 / 1024} MiB`;

export interface InputOptions {
  /** Names the input in errors ("--data body.bin"). */
  label: string;
  /** Said when standard input is a terminal, which would wait for typing forever. */
  ttyMessage: string;
  /** Said after "over the limit": what the command can do with a larger input, if anything. */
  tooLarge?: string;
  /**
   * Sees the first `bytes` of the input (fewer only at its end) and throws when they show it is the
   * wrong kind, so that a large input of the wrong kind is refused unread.
   */
  start?: { bytes: number; check: (start: Buffer) => void };
}

/** The bytes of a file, or of standard input for "-", up to MAX_INPUT. */
export async function readBytes(path: string, ui: Ui, options: InputOptions): Promise<Buffer> {
  if (path === '-' && ui.io.stdin.isTTY) throw new InputError(options.ttyMessage);
  try {
    const source =
      path === '-' ? ui.io.stdin : (await open(path, 'r')).createReadStream({ highWaterMark: 1024 * 1024 });
    return await readBounded(source, options);
  } catch (error) {
    if (error instanceof OblicHooksError) throw error;
    throw new InputError(`cannot read ${options.label}: ${describeFsError(error)}`);
  }
}

async function readBounded(source: AsyncIterable<Buffer | string>, options: InputOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let pending = options.start; // the check of the first bytes, until it is made
  for await (const chunk of source) {
    const bytes = Buffer.from(chunk);
    chunks.push(bytes);
    size += bytes.length;
    if (size > MAX_INPUT) {
      throw new InputError(
        `${options.label} is over ${MAX_INPUT_TEXT}, the most read into memory${options.tooLarge ? `; ${options.tooLarge}` : ''}`,
      );
    }
    if (pending && size >= pending.bytes) {
      const { bytes: probe, check } = pending;
      pending = undefined;
      check(Buffer.concat(chunks).subarray(0, probe));
    }
  }
  const data = Buffer.concat(chunks, size);
  if (pending && size > 0) pending.check(data);
  return data;
}
