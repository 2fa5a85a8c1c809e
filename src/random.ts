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

export function createRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 4; i++) next(); // mix the seed in (deriveSeed has already scrambled it)
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!,
    chance: (p: number) => next() < p,
    id: () => {
      // Four 32-bit draws, four base-62 digits each: a quarter of the generator calls of one digit
      // per draw (ids are most of the work of a sample event), and 62^4 is far below 2^32.
      let out = '';
      for (let word = 0; word < 4; word++) {
        let n = Math.floor(next() * 4294967296);
        for (let digit = 0; digit < 4; digit++) {
          out += ID_ALPHABET[n % 62];
          n = Math.floor(n / 62);
        }
      }
      return out;
    },
  };
}

/** Derives the seed of event `index` of a run, so each event is the same whatever the concurrency. */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
