import { type Command, Option } from 'commander';
import { InputError } from '../base/errors.js';
import type { Ui } from './io.js';
import type { SecretSource } from './secrets.js';
import { parseDuration } from './units.js';

// What the commands' index.ts files declare their flags with. Nothing here loads more than
// commander: every command's options are built on every start.

export type UiFactory = () => Promise<Ui>;

/** Where --secret and --secret-file land, in every command: `opts.secretSources`, in argv order. */
export interface SecretFlags {
  secretSources?: SecretSource[];
}

/** What --help says of the secret flags; `after` is a paragraph for the end of the help. */
export interface SecretHelp {
  secret: string;
  file: string;
  after?: string;
}

/** The secret flags of the commands that sign with one secret (send, sign). */
export const SIGNING_SECRET: SecretHelp = {
  secret: 'the endpoint secret (visible in ps and shell history: prefer the file or env var)',
  file: 'read the secret from a file (one trailing newline is ignored)',
  after:
    '\nThe secret is --secret, else --secret-file, else $OBLIC_WEBHOOK_SECRET, else the local development\nsecret (see `oblic-hooks secret`).',
};

/**
 * --secret and --secret-file, the one way every command declares them. Both write one shared list:
 * commander runs option parsers in argv order, so `--secret-file a --secret b` makes a secret #1 as
 * the user numbered them (issue 13, item 17). With `several` (listen, verify: secrets during a
 * rotation) each may be repeated. Otherwise each is taken once: where listen and verify read a
 * repeated --secret as a second secret, a command that signs with one must not drop one unseen
 * (issue 13, item 20). --secret with --secret-file is still the documented "--secret wins".
 */
export function addSecretOptions(command: Command, help: SecretHelp, { several = false } = {}): Command {
  command
    .addOption(secretsOption('--secret <secret>', help.secret, several, (secret) => ({ kind: 'flag', secret })))
    .addOption(secretsOption('--secret-file <path>', help.file, several, (path) => ({ kind: 'file', path })));
  return help.after === undefined ? command : command.addHelpText('after', help.after);
}

class SecretsOption extends Option {
  override attributeName(): string {
    return 'secretSources';
  }
}

function secretsOption(
  flags: string,
  description: string,
  several: boolean,
  source: (value: string) => SecretSource,
): Option {
  const flag = flags.split(' ')[0]!;
  return new SecretsOption(flags, description).argParser((value: string, previous: SecretSource[] = []) => {
    const next = source(value);
    // The secret itself is never quoted back: its message names the flag only.
    if (!several && previous.some((s) => s.kind === next.kind))
      throw new InputError(`${flag} is given twice; give it once`);
    return [...previous, next];
  });
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

/**
 * The delivery behaviour flags (issue 16) of `send` and `scenario run`, declared once. Oblic
 * publishes no retry schedule and no ordering: each is this tool's assumption, off unless given.
 */
export function addBehaviourOptions(command: Command): Command {
  return command
    .option(
      '--duplicate <p>',
      'send each delivery a second time, the same bytes, with probability p (0 to 1; seeded)',
      parseFraction('--duplicate'),
    )
    .option('--duplicate-later', 'send the second delivery later in the run, not right after')
    .option(
      '--reorder <n>',
      'shuffle the deliveries within windows of n (seeded)',
      parseIntFlag('--reorder', 1, 10_000),
    )
    .option(
      '--retry-schedule <delays>',
      'on no answer or a 5xx, send the same bytes again after each delay, e.g. 0,5s,30s,5m (an assumption: Oblic publishes none)',
    )
    .option('--time-scale <f>', 'multiply every wait and retry delay by f in real time, e.g. 0.01', parseScale);
}

/** A probability: a number from 0 to 1. */
function parseFraction(flag: string): (value: string) => number {
  return (value) => {
    const p = Number(value);
    if (value.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1)
      throw new InputError(`${flag} "${value}" must be a probability from 0 to 1, e.g. 0.3`);
    return p;
  };
}

/** --time-scale: a factor above 0, at most 1000. */
function parseScale(value: string): number {
  const f = Number(value);
  if (value.trim() === '' || !Number.isFinite(f) || f <= 0 || f > 1000)
    throw new InputError(`--time-scale "${value}" must be a number above 0 and at most 1000, e.g. 0.01`);
  return f;
}

/**
 * A timeout flag: a duration above 0. `zero`, when given, says what 0 would do and gives an
 * example (`would stop before any request`, `30s`); without it the message is the plain rule.
 */
export function parseTimeout(text: string, flag: string, zero?: { would: string; example: string }): number {
  const ms = parseDuration(text, flag);
  if (ms > 0) return ms;
  throw new InputError(
    zero
      ? `${flag} "${text}" would ${zero.would}; give a duration above 0, e.g. ${zero.example}`
      : `${flag} must be above 0`,
  );
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * A flag that takes one value: given twice it is an InputError, not "the last one wins" (issue 13,
 * item 20). For flags that name where to deliver, what to send or what to accept, where a repeat
 * reads as "these several" and all but the last would be dropped unseen. Tuning flags (numbers,
 * durations, sizes, the port) keep the last value: a repeat there overrides, as an alias or a
 * wrapper script adding its own flag expects. A default does not count as given; the parser
 * remembers the value it was given, so each program builds its own (as buildProgram does).
 */
export function once(flag: string): (value: string) => string {
  let given: string | undefined;
  return (value) => {
    if (given !== undefined) throw new InputError(`${flag} is given twice ("${given}" and "${value}"); give it once`);
    given = value;
    return value;
  };
}

/**
 * The most any command reads into memory (a capture, --data, standard input): past it the input is
 * refused, not read on (issue 13, item 9; `/dev/zero` once grew to gigabytes and crashed).
 */
export const MAX_INPUT = 64 * 1024 * 1024;
export const MAX_INPUT_TEXT = `${MAX_INPUT / 1024 / 1024} MiB`;
