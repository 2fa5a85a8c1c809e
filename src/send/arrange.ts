import { createRandom } from '../samples/random.js';
import type { Body } from '../samples/bodies.js';

// How an at-least-once sender with parallel workers delivers a run (issue 16): some deliveries twice,
// byte for byte, and the order shuffled within small windows. Pure and seeded: the same seed gives
// the same arrangement. Oblic publishes none of this; the flags that ask for it are assumptions.

/** One delivery a run makes: its body, and (for a scenario) its step and simulated wait before it. */
export interface Planned {
  body: Body;
  /** The scenario step that made it, or null for `send`. */
  step: string | null;
  /** Simulated milliseconds between the delivery before it and this one. */
  waitMs: number;
  /** What the scenario expects back (`2xx`, `4xx`, `204`), or null. */
  expect: string | null;
}

/** A place in the arranged run. */
export interface Slot {
  planned: Planned;
  /** The planned delivery's index: a duplicate has its original's. */
  index: number;
  /** A second delivery of the same bytes. */
  duplicate: boolean;
  /** Sent at another place than planned (by --reorder). */
  reordered: boolean;
}

export interface Arrangement {
  /** Probability that a delivery is sent a second time (--duplicate). */
  duplicate: number;
  /** The second delivery comes later in the run, not right after (--duplicate-later). */
  duplicateLater: boolean;
  /** Shuffle within windows of this many (--reorder); 1 keeps the order. */
  reorder: number;
  seed: number;
}

/**
 * The run as it will be sent: shuffled within windows of `reorder` (Fisher-Yates within each window;
 * a window is delivered once its last event has happened), then each delivery followed by its
 * duplicate with probability `duplicate`, right after or at a later place.
 */
export function arrange(planned: readonly Planned[], options: Arrangement): Slot[] {
  const rng = createRandom(options.seed);
  const order = planned.map((_, index) => index);
  const window = Math.max(1, options.reorder);
  for (let start = 0; start < order.length; start += window) {
    for (let i = Math.min(order.length, start + window) - 1; i > start; i--) {
      const j = start + Math.floor(rng.next() * (i - start + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const slots: Slot[] = order.map((index, at) => ({
    planned: planned[index]!,
    index,
    duplicate: false,
    reordered: index !== at,
  }));
  // A window goes out once the last of its events has happened, as a batch a sender's workers took
  // together: its deliveries wait for the window's whole simulated time, so none is delivered before
  // its own event happened, and the clock comes out where it would without --reorder.
  if (window > 1) {
    for (let start = 0; start < slots.length; start += window) {
      const batch = slots.slice(start, start + window);
      const total = batch.reduce((sum, slot) => sum + slot.planned.waitMs, 0);
      batch.forEach((slot, i) => {
        slots[start + i] = { ...slot, planned: { ...slot.planned, waitMs: i === 0 ? total : 0 } };
      });
    }
  }
  if (options.duplicate <= 0) return slots;
  const out: Slot[] = [];
  const later: Array<{ at: number; slot: Slot }> = [];
  for (const [at, slot] of slots.entries()) {
    out.push(slot);
    if (rng.next() >= options.duplicate) continue;
    // A repeat is the same bytes; no simulated wait of its own.
    const copy: Slot = { ...slot, planned: { ...slot.planned, waitMs: 0 }, duplicate: true };
    if (!options.duplicateLater) out.push(copy);
    else later.push({ at: at + 1 + Math.floor(rng.next() * (slots.length - at)), slot: copy });
  }
  // Each later repeat goes in at its place, counted in the run without repeats (the end at most).
  for (const { at, slot } of later.sort((a, b) => b.at - a.at)) {
    const place = out.findIndex((s) => !s.duplicate && s === slots[at]);
    out.splice(place === -1 ? out.length : place, 0, slot);
  }
  return out;
}
