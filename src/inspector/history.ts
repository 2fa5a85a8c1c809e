import type { RequestRecord } from '../listen/server.js';

/** One delivery as the inspector keeps it: the listener's record, less what only the terminal needs. */
export type Entry = Pick<
  RequestRecord,
  'seq' | 'receivedAt' | 'method' | 'path' | 'httpVersion' | 'headers' | 'body' | 'inspection' | 'duplicateOf'
> & {
  /** What the listener answered; null for a delivery reloaded from --save. */
  status: number | null;
  forward: { status: number | null; ms: number } | null;
};

/** A generous estimate of what one entry costs besides its body and headers: objects, the Date, labels. */
const ENTRY_OVERHEAD = 1024;

export interface HistoryLimits {
  /** Deliveries kept at most. */
  count: number;
  /** Bytes kept at most, as estimated by costOf; the newest delivery is kept even when it alone is larger. */
  bytes: number;
}

/** The inspector's memory of deliveries, bounded in count and in bytes (issue 13, item 28). */
export interface History {
  /** Oldest first. */
  readonly entries: readonly Entry[];
  /** Keeps an entry (with a body of its own) and drops the oldest ones beyond the limits. */
  add(entry: Entry): void;
  find(seq: number): Entry | undefined;
}

export function createHistory(limits: HistoryLimits): History {
  const entries: Entry[] = [];
  const costs: number[] = [];
  let total = 0;
  return {
    entries,
    add(entry) {
      const kept = { ...entry, body: entry.body === null ? null : ownBytes(entry.body) };
      const cost = costOf(kept);
      entries.push(kept);
      costs.push(cost);
      total += cost;
      let drop = 0;
      while (entries.length - drop > 1 && (entries.length - drop > limits.count || total > limits.bytes))
        total -= costs[drop++]!;
      entries.splice(0, drop);
      costs.splice(0, drop);
    },
    find: (seq) => entries.find((e) => e.seq === seq),
  };
}

/** About how many bytes an entry holds: the body, the head, the hints, and a fixed overhead. */
export function costOf(entry: Entry): number {
  let size = ENTRY_OVERHEAD + (entry.body?.length ?? 0) + entry.path.length;
  for (const [name, value] of entry.headers) size += name.length + value.length;
  for (const hint of entry.inspection?.hints ?? []) size += hint.message.length;
  return size;
}

/**
 * A body that shares a larger buffer (a pooled slab, or the whole capture file it was read from)
 * would keep all of that alive: the entry gets its own copy, outside the pool.
 */
function ownBytes(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.buffer.byteLength === body.length) return body;
  const copy = Buffer.allocUnsafeSlow(body.length);
  body.copy(copy);
  return copy;
}
