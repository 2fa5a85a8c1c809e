import type { Command } from 'commander';
import { addSecretOptions, MAX_INPUT_TEXT, once, type UiFactory } from '../../flags.js';
import type { VerifyFlags } from './run.js';

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
  addSecretOptions(
    program
      .command('verify')
      .description("prove or disprove a captured request's signature, and say why it failed")
      .argument('[files...]', 'captures to check (default: standard input)'),
    {
      secret: 'a secret to check with; repeat it for several (visible in ps: prefer the file or env var)',
      file: 'read a secret from a file (one trailing newline is ignored); repeatable',
    },
    { several: true },
  )
    .option('--signature <value>', 'the file is the bare body and this is its x-oblic-signature', once('--signature'))
    .option(
      '--json',
      'print one JSON object per capture: {verified, reason, message, hint, hints, matched_secret, event}',
    )
    .addHelpText('after', HELP)
    .action(async (files: string[], flags: VerifyFlags, command: Command) => {
      const [u, { run }, { applyProjectConfig }] = await Promise.all([
        ui(),
        import('./run.js'),
        import('../../config-apply.js'),
      ]);
      return run(files, (await applyProjectConfig(command, flags, ['secretFile'], u)).flags, u);
    });
}
