import { CheckError, InputError, OblicHooksError } from '../../../base/errors.js';
import { terminalText } from '../../../base/text.js';
import type { NamedSecret } from '../../../signing/diagnose.js';
import {
  bareCapture,
  CAPTURE_PROBE,
  looksLikeCapture,
  notACapture,
  parseCaptures,
  type Capture,
} from '../../../wire/capture.js';
import { inspectLargeFile } from '../../../wire/large-capture.js';
import { hintsFor, inspectCapture } from '../../../wire/verdict.js';
import type { SecretFlags } from '../../flags.js';
import { readBytes } from '../../input.js';
import type { Ui } from '../../io.js';
import { describeSecrets, fallbackSecrets, resolveSecrets } from '../../secrets.js';
import { inspectionJson, renderInspection } from './render.js';

export interface VerifyFlags extends SecretFlags {
  signature?: string;
  json?: boolean;
}

export async function run(files: string[], flags: VerifyFlags, ui: Ui): Promise<void> {
  const secrets = await resolveSecrets({ sources: flags.secretSources ?? [] }, ui.io.env, {
    createDev: false,
    all: true,
  });
  ui.say(ui.err.dim(`checking with ${describeSecrets(secrets, { numbered: true })}`));
  // Other secrets the user has only matter for hints, so they are read only when a check fails.
  let others: NamedSecret[] | undefined;
  const otherSecrets = async () => (others ??= await fallbackSecrets(ui.io.env));
  const names = files.length > 0 ? files : ['-'];
  const keys = secrets.map((s) => s.secret);
  let failed = 0;
  let unusable = 0;
  for (const name of names) {
    try {
      const large = name === '-' ? null : await inspectLargeFile(name, keys, flags.signature);
      let inspection = large;
      if (!inspection) {
        const capture = await readCapture(name, ui, flags.signature);
        inspection = inspectCapture(capture, keys, [], { hints: false });
        if (!inspection.verdict.verified) inspection.hints = hintsFor(capture, keys, await otherSecrets());
      }
      if (!inspection.verdict.verified) failed += 1;
      const file = names.length > 1 ? name : undefined;
      ui.io.stdout.write(
        flags.json ? `${inspectionJson(inspection, file)}\n` : renderInspection(ui, inspection, secrets, file),
      );
    } catch (error) {
      // With several files, one unusable file is reported and the others are still checked.
      if (names.length === 1 || !(error instanceof OblicHooksError)) throw error;
      ui.say(terminalText(`oblic-hooks: ${error.message.includes(name) ? '' : `${name}: `}${error.message}`));
      unusable += 1;
    }
  }
  if (unusable > 0) throw new InputError(`${unusable} of ${names.length} files could not be checked (see above)`);
  if (failed > 0)
    throw new CheckError(
      names.length === 1 ? 'the signature does not verify' : `${failed} of ${names.length} captures do not verify`,
    );
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
