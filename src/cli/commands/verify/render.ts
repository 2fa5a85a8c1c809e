import { printable, terminalText } from '../../../base/text.js';
import type { Inspection } from '../../../wire/verdict.js';
import type { Ui } from '../../io.js';
import type { ResolvedSecret } from '../../secrets.js';

/** A capture's verdict for a terminal: the badge and event, then why it failed and the hints. */
export function renderInspection(
  ui: Ui,
  { verdict, hints, event, notes }: Inspection,
  secrets: ResolvedSecret[],
  file: string | undefined,
): string {
  const c = ui.out;
  // Messages, hints and notes quote the capture (header names, values): escaped whole, here.
  const where = file === undefined ? '' : `${c.bold(terminalText(file))}: `;
  const label = event
    ? `${printable(event.type, 40)}  ${c.dim(printable(event.id, 40))}`
    : c.dim('(not an Oblic event)');
  const lines: string[] = [];
  if (verdict.verified) {
    const which =
      secrets.length > 1
        ? c.dim(`  with secret #${verdict.matchedSecret! + 1} (${secrets[verdict.matchedSecret!]!.origin})`)
        : '';
    lines.push(`${where}${c.green.bold('✔ verified')}  ${label}${which}`);
  } else {
    lines.push(`${where}${c.red.bold('✘ not verified')}  ${label}`);
    lines.push(`  ${c.red(terminalText(verdict.message))}`);
    for (const hint of hints) lines.push(`  ${c.yellow('hint:')} ${terminalText(hint.message)}`);
    if (hints.length === 0 && verdict.reason === 'mismatch') {
      lines.push(
        `  ${c.dim("none of the usual causes matched: is this the endpoint's secret, and does the capture hold the body exactly as received?")}`,
      );
    }
  }
  for (const note of notes) lines.push(`  ${c.dim(`note: ${terminalText(note)}`)}`);
  return `${lines.join('\n')}\n`;
}

/** `verify --json`: one line per capture. */
export function inspectionJson({ verdict, hints, event }: Inspection, file: string | undefined): string {
  return JSON.stringify({
    ...(file === undefined ? {} : { file }),
    verified: verdict.verified,
    reason: verdict.reason,
    message: verdict.message,
    hint: hints[0]?.message ?? null,
    hints,
    matched_secret: verdict.matchedSecret === null ? null : { index: verdict.matchedSecret },
    event,
  });
}
