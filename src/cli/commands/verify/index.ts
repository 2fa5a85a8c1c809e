import type { Command } from 'commander';
import {
  bareCapture,
  CAPTURE_PROBE,
  looksLikeCapture,
  notACapture,
  parseCaptures,
  type Capture,
} from '../../../wire/capture.js';
import { inspectLargeFile } from '../../../wire/large-capture.js';
import { printable, terminalText } from '../../../base/text.js';
import { CheckError, InputError, OblicHooksError } from '../../../base/errors.js';
import type { NamedSecret } from '../../../signing/diagnose.js';
import { hintsFor, inspectCapture, type Inspection } from '../../../wire/verdict.js';
import { describeSecret, fallbackSecrets, resolveSecrets, type ResolvedSecret } from '../../secrets.js';
import type { Ui } from '../../io.js';
import { MAX_INPUT_TEXT, readBytes, type UiFactory } from '../../flags.js';
import { secretFileOption, secretOption, type SecretSourceFlags } from '../../secret-flags.js';

interface VerifyFlags extends SecretSourceFlags {
  signature?: string;
  json?: boolean;
}

const HELP = `
Input, detected by itself: a raw HTTP request (as \`nc -l\` prints it or \`listen --save\` stores it), a
\`listen --json\` line, or with --signature a bare body. The body is checked byte for byte, never decoded.
Input that is not a capture is refused from its first bytes. Up to ${MAX_INPUT_TEXT} is read into memory;
a larger file is streamed if it is a raw HTTP capture that is not chunked, or a bare body with
--signature (hints are skipped past 16 MiB); anything else larger is refused.

When a signature does not verify, verify tries what usually went wrong (a newline added or lost, CRLF
line endings, re-serialized JSON, a BOM, whitespace in the secret, a "sha256=" prefix, base64, another
hash, the signature under another header name, the development secret) and says which would match.
Hints only explain: they never make a failure pass.

Examples:
  $ oblic-hooks verify request.http --secret-file .oblic-secret
  $ oblic-hooks verify captures/*.http
  $ nc -l 4242 | oblic-hooks verify
  $ oblic-hooks verify body.json --signature "$SIG" --secret old-secret --secret new-secret

The secret is every --secret and --secret-file given (several while rotating), else
$OBLIC_WEBHOOK_SECRET, else the local development secret.

Exit codes: 0 verified (every file), 1 not verified, 2 unusable input (unreadable file, not a
capture, no secret).`;

export function registerVerify(program: Command, ui: UiFactory): void {
  program
    .command('verify')
    .description("prove or disprove a captured request's signature, and say why it failed")
    .argument('[files...]', 'captures to check (default: standard input)')
    .addOption(
      secretOption('a secret to check with; repeat it for several (visible in ps: prefer the file or env var)'),
    )
    .addOption(secretFileOption('read a secret from a file (one trailing newline is ignored); repeatable'))
    .option('--signature <value>', 'the file is the bare body and this is its x-oblic-signature')
    .option(
      '--json',
      'print one JSON object per capture: {verified, reason, message, hint, hints, matched_secret, event}',
    )
    .addHelpText('after', HELP)
    .action(async (files: string[], opts: VerifyFlags) => {
      const u = await ui();
      const secrets = await resolveSecrets({ sources: opts.secretSources ?? [] }, u.io.env, {
        createDev: false,
        all: true,
      });
      u.say(u.err.dim(`checking with ${describeSources(secrets)}`));
      // Other secrets the user has only matter for hints, so they are read only when a check fails.
      let others: NamedSecret[] | undefined;
      const otherSecrets = async () => (others ??= await fallbackSecrets(u.io.env));
      const names = files.length > 0 ? files : ['-'];
      let failed = 0;
      let unusable = 0;
      for (const name of names) {
        try {
          const keys = secrets.map((s) => s.secret);
          const large = name === '-' ? null : await inspectLargeFile(name, keys, opts.signature);
          let inspection = large;
          if (!inspection) {
            const capture = await readCapture(name, u, opts.signature);
            inspection = inspectCapture(capture, keys, [], { hints: false });
            if (!inspection.verdict.verified) inspection.hints = hintsFor(capture, keys, await otherSecrets());
          }
          if (!inspection.verdict.verified) failed += 1;
          const file = names.length > 1 ? name : undefined;
          u.io.stdout.write(opts.json ? `${toJson(inspection, file)}\n` : render(u, inspection, secrets, file));
        } catch (error) {
          // With several files, one unusable file is reported and the others are still checked.
          if (names.length === 1 || !(error instanceof OblicHooksError)) throw error;
          u.say(terminalText(`oblic-hooks: ${error.message.includes(name) ? '' : `${name}: `}${error.message}`));
          unusable += 1;
        }
      }
      if (unusable > 0) throw new InputError(`${unusable} of ${names.length} files could not be checked (see above)`);
      if (failed > 0)
        throw new CheckError(
          names.length === 1 ? 'the signature does not verify' : `${failed} of ${names.length} captures do not verify`,
        );
    });
}

function describeSources(secrets: ResolvedSecret[]): string {
  if (secrets.length === 1) return `${secrets[0]!.origin} (${describeSecret(secrets[0]!.secret)})`;
  return `${secrets.length} secrets: ${secrets.map((s, i) => `#${i + 1} ${s.origin} (${describeSecret(s.secret)})`).join(', ')}`;
}

function render(
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

function toJson({ verdict, hints, event }: Inspection, file: string | undefined): string {
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

async function readCapture(name: string, ui: Ui, signature: string | undefined): Promise<Capture> {
  const otherwise = { otherwise: 'for a bare body pass --signature <hex>' };
  const data = await readBytes(name, ui, {
    label: name,
    ttyMessage: 'no input: give a capture file, or pipe one in on standard input',
    tooLarge: `only a file is streamed past it (a raw HTTP capture that is not chunked, or a bare body with --signature)`,
    // Refused from its first bytes, before the rest is read (issue 13, item 9).
    start: {
      bytes: CAPTURE_PROBE,
      check: (start) => {
        if (signature === undefined && !looksLikeCapture(start)) throw notACapture(otherwise);
      },
    },
  });
  if (signature !== undefined) return bareCapture(data, signature);
  const captures = parseCaptures(data, otherwise);
  if (captures.length > 1) {
    throw new InputError(
      `${name} holds ${captures.length} captures (\`listen --json\` lines); verify takes one per file (e.g. \`sed -n 3p log.ndjson | oblic-hooks verify\`)`,
    );
  }
  return captures[0]!;
}
