/**
 * Expected failures carry their exit code; the one boundary in cli/main.ts prints the message as
 * one line and exits with it. Anything that is not an OblicHooksError is a bug. The CLI is one
 * module graph (scripts/build.mjs), so there is one copy of these classes and `instanceof` holds.
 */
export class OblicHooksError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** `instanceof OblicHooksError`, for wire/capture.ts and the fuzz test, which still call it by this name. */
export function isOblicHooksError(error: unknown): error is OblicHooksError {
  return error instanceof OblicHooksError;
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
  /** 128 + SIGTERM: `check` stopped by `kill` or a CI timeout, its report said to be cut short. */
  terminated: 143,
} as const;
