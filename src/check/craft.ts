import type { EventType } from '../oblic/events.js';
import { createRandom, deriveSeed, type Random } from '../samples/random.js';
import { buildEvent } from '../samples/sample.js';
import { sign } from '../signing/sign.js';
import { type HeaderList, type OutgoingRequest, SIGNATURE_HEADER } from '../wire/request.js';

/** One request of a probe, with what the report says of it. */
export interface ProbeRequest {
  /** What this request is, in a few words: the event type, or the way it was written or forged. */
  label: string;
  /** The event type and id the body carries, when it is an event. */
  type: string | null;
  id: string | null;
  /** How it differs from a plain delivery (the changed bytes or header), in words; null when it does not. */
  change: string | null;
  request: OutgoingRequest;
}

/** A JSON object as the probes build and change it. */
export type EventObject = Record<string, unknown>;

/** Text that re-serializers write differently: non-ASCII, an emoji, a slash, and the HTML characters Go escapes. */
export const TRICKY_TEXT = '¡Hola! 👋 Café at 5/6 <b>&</b>, naïve? 日本語 ✓';

export interface SignedOptions {
  /** The body, when it is not `JSON.stringify(event)`. */
  bytes?: string | Buffer;
  /** Sign with this secret instead of the endpoint's. */
  secret?: string;
  change?: string | null;
}

/**
 * Makes the requests of a run: fresh sample events (each its own id, drawn from its own seeded stream,
 * so `--seed` gives the same bodies whatever runs at once), signed as Oblic signs them.
 */
export class Craft {
  private drawn = 0;

  constructor(
    readonly url: URL,
    private readonly secret: string,
    private readonly seed: number,
    /** Unix seconds that the events' timestamps lead up to. */
    private readonly now: number,
  ) {}

  /**
   * The craft of one probe: its own streams, keyed by the probe's id, so that a probe's bodies are
   * the same with the same --seed whichever other probes run (`--seed N --only <id>` repeats them).
   */
  forProbe(id: string): Craft {
    let key = 0x811c9dc5; // FNV-1a of the id
    for (let i = 0; i < id.length; i++) key = Math.imul(key ^ id.charCodeAt(i), 0x01000193) >>> 0;
    return new Craft(this.url, this.secret, deriveSeed(this.seed, key), this.now);
  }

  /** A seeded stream of its own, for one event or one made-up value. */
  random(): Random {
    return createRandom(deriveSeed(this.seed, this.drawn++));
  }

  /** A fresh sample event of `type`, as a plain object to change. */
  event(type: EventType): EventObject {
    return buildEvent(type, { rng: this.random(), now: this.now }) as unknown as EventObject;
  }

  /** The HMAC Oblic would put in the header for these bytes. */
  mac(bytes: string | Buffer): string {
    return sign(this.secret, Buffer.from(bytes));
  }

  /** A delivery as Oblic makes it: the bytes, `content-type: application/json` and their signature. */
  signed(label: string, event: unknown, options: SignedOptions = {}): ProbeRequest {
    const bytes = Buffer.from(options.bytes ?? JSON.stringify(event));
    const signature = sign(options.secret ?? this.secret, bytes);
    return this.raw(label, event, bytes, [signature], options.change ?? null);
  }

  /**
   * The event's bytes with the given x-oblic-signature values as they are: none, one, or several
   * headers, for the probes that forge or mangle the signature.
   */
  withSignatures(label: string, event: unknown, values: readonly string[], change: string): ProbeRequest {
    return this.raw(label, event, Buffer.from(JSON.stringify(event)), values, change);
  }

  /** These exact bytes with these x-oblic-signature values (a header each), whatever they are. */
  raw(label: string, event: unknown, body: Buffer, signatures: readonly string[], change: string | null): ProbeRequest {
    const headers: HeaderList = [['content-type', 'application/json']];
    for (const value of signatures) headers.push([SIGNATURE_HEADER, value]);
    const request: OutgoingRequest = { url: this.url, headers, body, signature: signatures[0] ?? '' };
    const fields = (typeof event === 'object' && event !== null ? event : {}) as EventObject;
    return {
      label,
      type: typeof fields.type === 'string' ? fields.type : null,
      id: typeof fields.id === 'string' ? fields.id : null,
      change,
      request,
    };
  }
}
