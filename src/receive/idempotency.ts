/**
 * Where `createWebhooks` records the ids of events it handled, so a retried delivery (the same bytes:
 * Oblic signs only the body) is answered 204 without running the handlers again. Either method may
 * return a promise (Redis, a database table); a store that throws makes the delivery a 500, so the
 * sender retries rather than losing the event.
 */
export interface IdempotencyStore {
  /** Whether the event id was recorded: its handlers all succeeded once already. */
  has(id: string): boolean | Promise<boolean>;
  /** Records the id, after every handler of the event succeeded. */
  add(id: string): unknown;
}

export const DEFAULT_REMEMBERED = 10_000;

/**
 * The default store: the last `max` event ids handled in this process, in memory (16 characters
 * each, so 10,000 is well under a megabyte). It forgets on restart and is not shared between
 * processes: with several instances, pass a shared store.
 */
export function createMemoryStore({ max = DEFAULT_REMEMBERED }: { max?: number } = {}): IdempotencyStore {
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new TypeError(
      `createMemoryStore({ max }) takes a number of event ids, e.g. ${DEFAULT_REMEMBERED}; got ${String(max)}`,
    );
  }
  const ids = new Set<string>();
  return {
    has: (id) => ids.has(id),
    add: (id) => {
      ids.delete(id);
      ids.add(id);
      // A Set iterates in insertion order, so the first is the oldest.
      if (ids.size > max) ids.delete(ids.values().next().value as string);
    },
  };
}
