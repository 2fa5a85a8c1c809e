/** "1 byte", "2 bytes" */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** A value from a request, made safe to print on a terminal: control characters escaped, length capped. */
export function printable(value: string, max = 80): string {
  const escaped = value.replace(
    /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
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
