import type { ChalkInstance } from 'chalk';
import { isEventType } from '../../../oblic/events.js';
import { reasonOf } from '../../../wire/verdict-request.js';
import type { RequestRecord } from '../../../listen/record.js';
import { printable } from '../../../base/text.js';
import { renderRecord, toJsonLine, type RenderOptions } from './render.js';

export interface Tally {
  received: number;
  shown: number;
  verified: number;
  invalid: number;
  unsigned: number;
  forwarded: number;
  refused: number;
  /** Answered 500: oblic-hooks could not handle them (a capture it could not write). */
  failed: number;
  badClients: number;
  /** Deliveries of an event id already seen in this run (repeats.ts). */
  duplicates: number;
}

export function newTally(): Tally {
  return {
    received: 0,
    shown: 0,
    verified: 0,
    invalid: 0,
    unsigned: 0,
    forwarded: 0,
    refused: 0,
    failed: 0,
    badClients: 0,
    duplicates: 0,
  };
}

/** What `listen` shows, and when it has shown enough. Plain data: the verifying thread gets a copy. */
export interface ShowOptions extends RenderOptions {
  json: boolean;
  /** --events: the event types to show; others are counted and answered. */
  events: ReadonlySet<string> | undefined;
  exitAfter: number | undefined;
}

export interface Shower {
  tally: Tally;
  /** Set once --exit-after requests have been shown. */
  reached: boolean;
  /** Counts a verified record and gives its text when it is to be shown. */
  show(record: RequestRecord): string | undefined;
}

/** Counting, --events, --exit-after and formatting, the same on the main thread and the verifying one. */
export function createShower(c: ChalkInstance, options: ShowOptions): Shower {
  const shower: Shower = {
    tally: newTally(),
    reached: false,
    show(record) {
      const tally = shower.tally;
      count(tally, record);
      const type = record.inspection?.event?.type;
      if (options.events !== undefined && type !== undefined && isEventType(type) && !options.events.has(type))
        return undefined;
      tally.shown += 1;
      if (options.exitAfter !== undefined && tally.shown >= options.exitAfter) shower.reached = true;
      if (options.exitAfter !== undefined && tally.shown > options.exitAfter) return undefined; // answered, not shown
      try {
        return options.json ? toJsonLine(record) : renderRecord(c, record, options);
      } catch (error) {
        return fallbackRow(c, record, options.json, error); // counted above; one odd body never hides its row (issue 13, item 1)
      }
    },
  };
  return shower;
}

function count(tally: Tally, record: RequestRecord): void {
  tally.received += 1;
  if (record.forward) tally.forwarded += 1;
  if (record.failure) tally.failed += 1;
  if (record.duplicateOf) tally.duplicates += 1;
  const verdict = record.inspection?.verdict;
  if (!verdict) tally.refused += 1;
  else if (verdict.verified) tally.verified += 1;
  else if (verdict.reason === 'missing_signature') tally.unsigned += 1;
  else tally.invalid += 1;
}

/** The row of a request whose usual row could not be made: what it was, its verdict and why. */
function fallbackRow(c: ChalkInstance, record: RequestRecord, json: boolean, error: unknown): string {
  const verdict = record.inspection?.verdict;
  const why = `this request could not be shown: ${reasonOf(error)}`;
  if (json) {
    const fields = {
      received_at: record.receivedAt.toISOString(),
      method: record.method,
      path: record.path,
      verified: verdict?.verified ?? false,
      reason: verdict?.reason ?? null,
      status: record.status,
      // A row that could not be formatted still says whether it repeats an earlier event (issue 16).
      duplicate_of: record.duplicateOf
        ? { received_at: record.duplicateOf.receivedAt.toISOString(), same_bytes: record.duplicateOf.sameBytes }
        : null,
      error: why,
    };
    return JSON.stringify(fields);
  }
  const what =
    verdict === undefined
      ? c.yellow(String(record.status))
      : verdict.verified
        ? c.green('✔ verified')
        : c.red(`✘ ${verdict.reason ?? 'not verified'}`);
  return `${c.dim(record.receivedAt.toISOString().slice(11, 23))}  ${c.bold(`${printable(record.method, 12)} ${printable(record.path, 60)}`)}  ${what}  ${c.dim(printable(why, 200))}`;
}
