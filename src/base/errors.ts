/**
 * Expected failures carry their exit code; the one boundary in cli.ts prints the message as one
 * line and exits with it. Anything that is not an OblicHooksError is a bug.
 */
// A global brand rather than `instanceof`: the start-up bundle and a lazily loaded module may each
// hold their own copy of these classes (see lazy.ts), and an error must be recognised from either.
const BRAND = Symbol.for('oblic-hooks.error');

export class OblicHooksError extends Error {
  readonly [BRAND] = true;

  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An expected failure with its exit code, from whichever copy of this module threw it. */
export function isOblicHooksError(error: unknown): error is OblicHooksError {
  return error instanceof Error && (error as Partial<Record<typeof BRAND, boolean>>)[BRAND] === true;
}

/** Exit 2: the user's input or usage cannot be acted on (bad flag value, unreadable file, no secret). */
export class InputError extends OblicHooksError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Exit 1: the thing checked failed (a delivery got no 2xx, nothing is listening, a signature does not verify). */
export class CheckError extends OblicHooksError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** The exit codes, documented in --help and the README. */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  usage: 2,
  internal: 70,
  /** 128 + SIGINT, as shells report a command ended by Ctrl-C: `send` and `replay` cut short. */
  interrupted: 130,
} as const;
