import { headerValues } from './http1.js';
import type { NamedSecret } from '../signing/diagnose.js';
import { inspectCapture, type Inspection } from './verdict.js';
import { verify } from '../signing/verify.js';

/** A request as the listener inspects it. */
export interface RequestParts {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

/**
 * Inspects one request for `listen`, on either thread. The verdict is cheap and cannot fail; the
 * hints and the label are extras, and a body that breaks them (100,000 nested arrays overflowed the
 * stack: issue 13, item 1) still gets its verdict, with a note that they were skipped.
 */
export function inspectRequest(
  request: RequestParts,
  secrets: readonly string[],
  otherSecrets: readonly NamedSecret[] = [],
): Inspection {
  const capture = { format: 'http' as const, ...request, notes: [] };
  try {
    return inspectCapture(capture, secrets, otherSecrets);
  } catch (error) {
    const note = `hints skipped: they could not be worked out for this body (${reasonOf(error)})`;
    try {
      const inspection = inspectCapture(capture, secrets, otherSecrets, { hints: false });
      return { ...inspection, notes: [...inspection.notes, note] };
    } catch (labelError) {
      const verdict = verify({ body: request.body, signature: headerValues(capture, 'x-oblic-signature'), secrets });
      return { verdict, hints: [], event: null, notes: [`${note}; no event label either (${reasonOf(labelError)})`] };
    }
  }
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
