import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { ChalkInstance } from 'chalk';
import type { BatchSummary, Outcome } from '../send/batch.js';
import { formatCount, formatMs, printable, terminalText } from '../base/text.js';
import { isSuccess } from '../wire/status.js';
import { paintStatus } from './paint.js';

/**
 * `{type, id, url, status, ms, ok, signature, attempts, error}`: one line per delivery for --json,
 * written out directly (a load run writes 20,000 of them; a test holds it to JSON.stringify).
 */
export function outcomeJsonLine({ body, request, result }: Outcome): string {
  const ok = isSuccess(result.status);
  const error = result.error ? JSON.stringify({ code: result.error.code, message: result.error.message }) : 'null';
  return (
    `{"type":${JSON.stringify(body.type)},"id":${JSON.stringify(body.id)},"url":${JSON.stringify(request.url.href)},"status":${result.status},` +
    `"ms":${Math.round(result.ms * 100) / 100},"ok":${ok},"signature":${JSON.stringify(request.signature)},"attempts":${result.attempts},"error":${error}}`
  );
}

/** `200 OK  message.updated  a056V7R7NmNRjl70  → http://localhost:4242/  3.1 ms`, then the response. */
export function renderOutcome(
  c: ChalkInstance,
  { body, request, result }: Outcome,
  show: { include: boolean; preview: boolean },
): string {
  const status = result.status === null ? 'ERR' : `${result.status} ${STATUS_CODES[result.status] ?? ''}`.trim();
  const retried = result.attempts > 1 ? c.dim(` after ${result.attempts} attempts`) : '';
  // The type and id come from the body (a replayed capture's), the rest from the server: all of it
  // is escaped for the terminal here (issue 13, item 16).
  const head = [
    paintStatus(c, result.status, c.bold(status)),
    body.type ? printable(body.type, 64).padEnd(20) : c.dim('(not an event)'.padEnd(20)),
    c.dim(printable(body.id ?? '', 64)),
    c.dim(`→ ${terminalText(request.url.href)}`),
    `${formatMs(result.ms)}${retried}`,
  ].filter((part) => part !== '');
  const lines = [head.join('  ')];
  if (result.error) lines.push(`  ${c.red(terminalText(result.error.message))}`);
  if (show.include) {
    for (const [name, value] of Object.entries(result.headers)) {
      for (const v of Array.isArray(value) ? value : [value ?? ''])
        lines.push(`  ${c.cyan(terminalText(name))}: ${terminalText(v)}`);
    }
  }
  if (show.preview && result.body && result.body.length > 0) lines.push(...previewBody(c, result.body));
  return lines.join('\n');
}

/** The first lines of a response body, cut to fit; a binary body is only measured. */
function previewBody(c: ChalkInstance, body: Buffer): string[] {
  // The preview is the first 4 KiB: it may end inside a multi-byte character, which is still text.
  const whole = [0, 1, 2, 3].map((cut) => body.subarray(0, body.length - cut)).find((part) => isUtf8(part));
  const text = whole?.toString('utf8') ?? '';
  if (whole === undefined || /[\0-\x08\x0e-\x1f]/.test(text)) return [c.dim(`  (${body.length} bytes, not text)`)];
  const all = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const shown = all.slice(0, 5).map((line) => c.dim(`  ${printable(line, 160)}`));
  if (all.length > 5) shown.push(c.dim(`  … ${all.length - 5} more lines`));
  return shown;
}

/** `15 sent · 15 2xx · 0 other · 0 errors · 1,234/s · p50 1.2 ms · p95 3.4 ms · p99 5.0 ms` */
export function renderSummary(c: ChalkInstance, s: BatchSummary, unlistedFailures: number): string {
  const rate = s.elapsedMs > 0 ? (s.sent * 1000) / s.elapsedMs : 0;
  const others = [...s.statuses]
    .filter(([status]) => !isSuccess(status))
    .map(([status, n]) => `${status} ×${formatCount(n)}`);
  const parts = [
    `${formatCount(s.sent)} sent`,
    c.green(`${formatCount(s.ok)} 2xx`),
    (s.otherStatus > 0 ? c.yellow : c.dim)(
      `${formatCount(s.otherStatus)} other${others.length > 0 ? ` (${others.join(', ')})` : ''}`,
    ),
    (s.errors > 0 ? c.red : c.dim)(`${formatCount(s.errors)} errors`),
    `${formatCount(rate)}/s`,
    `p50 ${formatMs(s.latency.percentile(50))}`,
    `p95 ${formatMs(s.latency.percentile(95))}`,
    `p99 ${formatMs(s.latency.percentile(99))}`,
  ];
  const tail = unlistedFailures > 0 ? c.dim(` (${formatCount(unlistedFailures)} more failures not listed)`) : '';
  return parts.join(' · ') + tail;
}
