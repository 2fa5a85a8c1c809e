import { randomInt } from 'node:crypto';
import type { EventType } from '../oblic/events.js';
import { createRandom, deriveSeed } from './random.js';
import { eventOf } from '../oblic/label.js';
import { buildEvent } from './sample.js';
import { applyAssignment, type Assignment } from './set-path.js';

export interface Body {
  /** The event type and id as the body says them (after --set), or null when the body is not an Oblic event. */
  type: string | null;
  id: string | null;
  bytes: Buffer;
}

export interface BodySourceOptions {
  types: readonly EventType[];
  /** Same seed, same bodies, byte for byte. */
  seed?: number | undefined;
  assignments?: readonly Assignment[];
  /** Unix seconds that timestamps lead up to. */
  now: number;
}

/** With --seed, timestamps lead up to a fixed moment too, so a seeded body is the same on any day. */
export const SEEDED_NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

/** Body `index` of a run: event type `index mod types`, a fresh event each time. */
export type BodySource = (index: number) => Body;

export function createEventSource(options: BodySourceOptions): BodySource {
  const seed = options.seed ?? randomInt(2 ** 32 - 1);
  const now = options.seed === undefined ? options.now : SEEDED_NOW;
  const assignments = options.assignments ?? [];
  // The body's labels are the id and type the event ends up with, after any --set.
  return (index) => {
    const type = options.types[index % options.types.length]!;
    const event = buildEvent(type, { rng: createRandom(deriveSeed(seed, index)), now }) as unknown as Record<
      string,
      unknown
    >;
    for (const assignment of assignments) applyAssignment(event, assignment);
    return {
      type: typeof event.type === 'string' ? event.type : null,
      id: typeof event.id === 'string' ? event.id : null,
      bytes: Buffer.from(JSON.stringify(event)),
    };
  };
}

/** `--data`: the same exact bytes every time, never re-serialized. */
export function createFixedSource(bytes: Buffer): BodySource {
  const event = eventOf(bytes);
  const body: Body = { type: event?.type ?? null, id: event?.id ?? null, bytes };
  return () => body;
}
