import type { Inspection } from '../wire/verdict.js';
import type { ForwardResult } from './forward.js';

/**
 * One request as the listener took it: what came (the server's part) and what was made of it (the
 * pipeline's). What `listen` shows, counts, saves and hands to the inspector.
 */
export interface RequestRecord {
  seq: number;
  receivedAt: Date;
  method: string;
  path: string;
  httpVersion: string;
  headers: Array<[string, string]>;
  /** The exact body; null when it was not read (over --max-body, wrong method or path). */
  body: Buffer | null;
  size: number;
  inspection: Inspection | null;
  /** The status answered to the sender. */
  status: number;
  forward: ForwardResult | null;
  savedAs: string | null;
  /** Why the request was not handled as a delivery, if it was not. */
  refusal: string | null;
  /** Why oblic-hooks failed on a delivery it took (a capture it could not write); it was answered 500. */
  failure?: string;
  /**
   * The delivery of the same event id this one repeats (repeats.ts); null when it repeats none, or
   * was not checked (not read, or not an event); absent in a record reloaded from --save.
   */
  duplicateOf?: DuplicateOf | null;
}

/** What a delivery repeats: when its event id first came in this run, and whether the body was the same. */
export interface DuplicateOf {
  receivedAt: Date;
  sameBytes: boolean;
}
