import type { Capture } from './capture.js';
import { headerValues } from './http1.js';
import { diagnose, type Hint, type NamedSecret } from '../signing/diagnose.js';
import { type EventLabel, readEvent } from '../oblic/label.js';
import type { ParseError } from '../oblic/parse.js';
import { verify, type Verdict } from '../signing/verify.js';

export interface Inspection {
  verdict: Verdict;
  /** Empty when verified. */
  hints: Hint[];
  event: EventLabel | null;
  /** Why the body is not a valid Oblic event (parseEvent's first problem); null when it is one, or was not checked. */
  eventError?: ParseError | null;
  notes: string[];
}

/**
 * Verifies a capture and, when it fails, explains why as far as the usual causes go. With
 * `hints: false` the explanation is left to the caller (`hintsFor`), who may want to gather more
 * secrets first and pay for it only on failure.
 */
export function inspectCapture(
  capture: Capture,
  secrets: readonly string[],
  otherSecrets: readonly NamedSecret[] = [],
  { hints = true }: { hints?: boolean } = {},
): Inspection {
  const signatures = headerValues(capture, 'x-oblic-signature');
  const verdict = verify({ body: capture.body, signature: signatures, secrets });
  if (verdict.reason === 'missing_signature' && capture.format !== 'body') {
    const names = [...new Set(capture.headers.map(([name]) => name.toLowerCase()))];
    verdict.message +=
      names.length > 0
        ? ` (it has: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''})`
        : ' (it has no headers at all)';
  }
  return {
    verdict,
    hints: verdict.verified || !hints ? [] : hintsFor(capture, secrets, otherSecrets),
    ...readEvent(capture.body),
    notes: capture.notes,
  };
}

/** What would have made a failed capture verify: the usual mistakes, tried one by one. */
export function hintsFor(capture: Capture, secrets: readonly string[], otherSecrets: readonly NamedSecret[]): Hint[] {
  return diagnose({
    body: capture.body,
    signatures: headerValues(capture, 'x-oblic-signature'),
    headers: capture.headers,
    secrets,
    otherSecrets,
  });
}
