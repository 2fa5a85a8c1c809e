/** A small seeded generator (sfc32), so `--seed` reproduces every id and value. Not for secrets. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** A 16-character Oblic id from [A-Za-z0-9]. */
  id(): string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Every pair of base-62 digits, low digit first: an id is eight lookups instead of sixteen.
const DIGIT_PAIRS = Array.from({ length: 62 * 62 }, (_, n) => ID_ALPHABET[n % 62]! + ID_ALPHABET[Math.floor(n / 62)]!);

/**
 * sfc32. A class rather than closures: a sample event makes one generator, and under load the
 * closures of a fresh generator per event were a measurable part of building it.
 */
class Sfc32 implements Random {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;

  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 4; i++) this.next(); // mix the seed in (deriveSeed has already scrambled it)
  }

  next(): number {
    const a = this.a >>> 0;
    const b = this.b >>> 0;
    const c = this.c >>> 0;
    const d = (this.d + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    this.d = d;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  id(): string {
    // Four 32-bit draws, four base-62 digits each (62^4 is far below 2^32), low digit first.
    let out = '';
    for (let word = 0; word < 4; word++) {
      const n = Math.floor(this.next() * 4294967296);
      out += DIGIT_PAIRS[n % 3844]! + DIGIT_PAIRS[Math.floor(n / 3844) % 3844]!;
    }
    return out;
  }
}

export function createRandom(seed: number): Random {
  return new Sfc32(seed);
}

/** Derives the seed of event `index` of a run, so each event is the same whatever the concurrency. */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
