import { hash } from 'node:crypto';
import type { DuplicateOf, RequestRecord } from './record.js';

export type { DuplicateOf } from './record.js';

/*
 * The listener's memory of event ids, so that a repeat (a retry, a duplicate) is marked as one
 * (issue 16). Oblic delivers at least once: the same event id may come twice, with the same bytes (a
 * retry) or not. Bounded: the oldest ids are forgotten first, past a count and past a byte budget.
 */

export interface RepeatLimits {
  /** Ids remembered at most. */
  count: number;
  /** Bytes they may take, as estimated by costOf; the newest id is kept even when it alone is larger. */
  bytes: number;
}

/** 100,000 ids, about 8 MiB of usual 16-character ids (measured: 51 bytes each besides the id itself). */
export const REPEAT_LIMITS: RepeatLimits = { count: 100_000, bytes: 16 * 1024 * 1024 };

export interface Repeats {
  /** What this delivery of event `id` with `body` repeats, or null (then it is remembered, at `at`). */
  check(id: string, body: Buffer, at: Date): DuplicateOf | null;
  /** Ids remembered now. */
  readonly size: number;
}

const costOf = (id: string) => 64 + 2 * id.length;

/**
 * The ids in order of arrival, in a ring that grows by doubling up to the count: a Map from id to its
 * number of arrival, and per number the time and 52 bits of the body's SHA-256, in typed arrays (a
 * Map of objects took three times the memory). A hash of the body, not the signature: the signature
 * is per secret, and an unsigned or re-signed body is still the same bytes.
 */
export function createRepeats(limits: RepeatLimits = REPEAT_LIMITS): Repeats {
  const seen = new Map<string, number>();
  let capacity = 1024;
  let ids: string[] = new Array<string>(capacity);
  let times = new Float64Array(capacity);
  let digests = new Float64Array(capacity);
  let oldest = 0; // the arrival number of the oldest id remembered
  let next = 0;
  let bytes = 0;

  const grow = () => {
    const [oldIds, oldTimes, oldDigests, mask] = [ids, times, digests, capacity - 1];
    capacity *= 2;
    ids = new Array<string>(capacity);
    times = new Float64Array(capacity);
    digests = new Float64Array(capacity);
    for (let n = oldest; n < next; n++) {
      const [from, to] = [n & mask, n & (capacity - 1)];
      ids[to] = oldIds[from]!;
      times[to] = oldTimes[from]!;
      digests[to] = oldDigests[from]!;
    }
  };
  const forgetOldest = () => {
    const slot = oldest++ & (capacity - 1);
    const id = ids[slot]!;
    seen.delete(id);
    bytes -= costOf(id);
    ids[slot] = ''; // not kept alive by the ring
  };

  return {
    check(id, body, at) {
      const digest = digestOf(body);
      const first = seen.get(id);
      if (first !== undefined) {
        const slot = first & (capacity - 1);
        return { receivedAt: new Date(times[slot]!), sameBytes: digests[slot] === digest };
      }
      while (next - oldest > 0 && (next - oldest >= limits.count || bytes + costOf(id) > limits.bytes)) forgetOldest();
      if (next - oldest === capacity) grow();
      const slot = next & (capacity - 1);
      ids[slot] = id;
      times[slot] = at.getTime();
      digests[slot] = digest;
      seen.set(id, next++);
      bytes += costOf(id);
      return null;
    },
    get size() {
      return seen.size;
    },
  };
}

/** 52 bits of the body's SHA-256, exact in a double: a chance of 2^-52 that two bodies pass for one. */
function digestOf(body: Buffer): number {
  return Number.parseInt(hash('sha256', body, 'hex').slice(0, 13), 16);
}

/**
 * Marks the record as a repeat, or not, once it has been inspected: a body that is not an Oblic
 * event (no id and type, as oblic/label.ts reads them) is never a repeat.
 */
export function markRepeat(repeats: Repeats, record: RequestRecord, body: Buffer): void {
  const id = record.inspection?.event?.id;
  record.duplicateOf = id === undefined ? null : repeats.check(id, body, record.receivedAt);
}
