/** "1 byte", "2 bytes" */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** A value from a request, made safe to print on a terminal: control characters escaped, length capped. */
export function printable(value: string, max = 80): string {
  // Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) too: they reorder what follows
  // on the line, so a server's answer could make the text around it read otherwise ("Trojan Source").
  const escaped = value.replace(
    /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    // \u2028 rather than \x2028, which reads as \x20 followed by "28".
    (c) => {
      const code = c.charCodeAt(0);
      return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
    },
  );
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

/**
 * A whole message or line that carries text from input (a header name in a verdict, an event type, a
 * server's answer), made safe for a terminal as `printable` does but never cut. Every renderer passes
 * such text through here (issue 13, item 16: an OSC 52 clipboard write got through `verify`).
 */
export function terminalText(value: string): string {
  return printable(value, Number.POSITIVE_INFINITY);
}

/** 1,234. Grouped by hand: the first toLocaleString of a process loads ICU's number formats (about 12 ms). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** 0.42 ms, 3.1 ms, 120 ms, 2.4 s */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** 1.2 kB, 3.4 MB (decimal units, as file sizes are shown to people) */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

/** POSIX single quotes keep every byte as it is; only the quote itself needs care. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A path or word as it must be typed in a suggested command: as it is when the shell would read it
 * so, else quoted, so that a home folder with a space (or worse) is one argument when pasted.
 */
export function shellArg(text: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(text) ? text : shellQuote(text);
}

/**
 * The candidate nearest to `input` by edit distance, when it is near enough to be a typo of it (within
 * two edits, or a third of its length): the "did you mean" of every list a user picks from.
 */
export function nearest<T extends string>(input: string, candidates: readonly T[]): T | undefined {
  const needle = input.toLowerCase();
  let best: T | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(needle, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(needle.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
