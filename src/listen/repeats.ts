import { createHmac } from 'node:crypto';
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

/**
 * 65,536 ids: about 6 MiB of usual 16-character ids, measured once the oldest are being forgotten. At
 * 100,000 it was 11 MiB: deleting from a Map leaves holes, and V8 then doubles its table to 262,144
 * slots rather than compacting it, where 65,536 ids stay in 131,072. The bytes bound long ids.
 */
export const REPEAT_LIMITS: RepeatLimits = { count: 65_536, bytes: 8 * 1024 * 1024 };

/** A delivery that verified: the secret that matched, and its signature, the HMAC of the body under it. */
export interface Signed {
  secret: number;
  signature: string;
}

export interface Repeats {
  /**
   * What this delivery of event `id` with `body` repeats, or null (then it is remembered, at `at`).
   * `signed` when it verified: its signature then stands for its bytes, with no hashing of them.
   */
  check(id: string, body: Buffer, at: Date, signed?: Signed): DuplicateOf | null;
  /** Ids remembered now. */
  readonly size: number;
}

const costOf = (id: string) => 64 + 2 * id.length;

/**
 * The ids in order of arrival, in a ring that grows by doubling up to the count: a Map from id to its
 * number of arrival, and per number the time and 52 bits of the HMAC of the body under one of
 * `secrets` (and which), in typed arrays (a Map of objects took three times the memory).
 *
 * The bytes are compared by that HMAC: of a delivery that verified it is its signature, already
 * checked, so the everyday delivery costs no hashing (a SHA-256 of 1 kB cost 2 µs under load, 4% of
 * a request). A repeat under another secret, or not signed, is hashed under the first one's secret,
 * so an unsigned or re-signed copy is still the same bytes.
 */
export function createRepeats(secrets: readonly string[] = [], limits: RepeatLimits = REPEAT_LIMITS): Repeats {
  const seen = new Map<string, number>();
  let capacity = 1024;
  let ids: string[] = new Array<string>(capacity);
  let times = new Float64Array(capacity);
  let digests = new Float64Array(capacity);
  let keys = new Int32Array(capacity); // the secret each digest is under
  let oldest = 0; // the arrival number of the oldest id remembered
  let next = 0;
  let bytes = 0;

  const grow = () => {
    const [oldIds, oldTimes, oldDigests, oldKeys, mask] = [ids, times, digests, keys, capacity - 1];
    capacity *= 2;
    ids = new Array<string>(capacity);
    times = new Float64Array(capacity);
    digests = new Float64Array(capacity);
    keys = new Int32Array(capacity);
    for (let n = oldest; n < next; n++) {
      const [from, to] = [n & mask, n & (capacity - 1)];
      ids[to] = oldIds[from]!;
      times[to] = oldTimes[from]!;
      digests[to] = oldDigests[from]!;
      keys[to] = oldKeys[from]!;
    }
  };
  const forgetOldest = () => {
    const slot = oldest++ & (capacity - 1);
    const id = ids[slot]!;
    seen.delete(id);
    bytes -= costOf(id);
    ids[slot] = ''; // not kept alive by the ring
  };
  /** The digest of `body` under secret `key`: its signature when it verified under that one, else its HMAC. */
  const digestOf = (key: number, body: Buffer, signed: Signed | undefined) =>
    digestText(
      signed?.secret === key
        ? signed.signature
        : createHmac('sha256', secrets[key] ?? '')
            .update(body)
            .digest('hex'),
    );

  return {
    check(id, body, at, signed) {
      const first = seen.get(id);
      if (first !== undefined) {
        const slot = first & (capacity - 1);
        const sameBytes = digests[slot] === digestOf(keys[slot]!, body, signed);
        return { receivedAt: new Date(times[slot]!), sameBytes };
      }
      while (next - oldest > 0 && (next - oldest >= limits.count || bytes + costOf(id) > limits.bytes)) forgetOldest();
      if (next - oldest === capacity) grow();
      const slot = next & (capacity - 1);
      const key = signed?.secret ?? 0;
      ids[slot] = id;
      times[slot] = at.getTime();
      digests[slot] = digestOf(key, body, signed);
      keys[slot] = key;
      seen.set(id, next++);
      bytes += costOf(id);
      return null;
    },
    get size() {
      return seen.size;
    },
  };
}

/** 52 bits of a hex digest, exact in a double: a chance of 2^-52 that two bodies pass for one. */
function digestText(hex: string): number {
  return Number.parseInt(hex.trim().slice(0, 13), 16);
}

/**
 * Marks the record as a repeat, or not, once it has been inspected: a body that is not an Oblic
 * event (no id and type, as oblic/label.ts reads them) is never a repeat.
 */
export function markRepeat(repeats: Repeats, record: RequestRecord, body: Buffer): void {
  const inspection = record.inspection;
  const id = inspection?.event?.id;
  if (id === undefined) {
    record.duplicateOf = null;
    return;
  }
  const secret = inspection!.verdict.matchedSecret;
  record.duplicateOf = repeats.check(
    id,
    body,
    record.receivedAt,
    secret === null ? undefined : signedBy(secret, record),
  );
}

/** A verified record has exactly one signature header (verify.ts refuses several). */
function signedBy(secret: number, record: RequestRecord): Signed | undefined {
  for (const [name, value] of record.headers)
    if (name.length === 17 && name.toLowerCase() === 'x-oblic-signature') return { secret, signature: value };
  return undefined;
}
