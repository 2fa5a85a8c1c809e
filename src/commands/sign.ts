import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { describeFsError } from '../secret.js';
import { signStream } from '../signature.js';
import { addSecretOptions, useSecret, type SecretFlags, type UiFactory } from './shared.js';

export function registerSign(program: Command, ui: UiFactory): void {
  addSecretOptions(
    program
      .command('sign')
      .description('print the x-oblic-signature of the exact bytes of a file or of standard input')
      .argument('[file]', 'the body to sign (default: standard input)'),
  )
    .addHelpText('after', '\nExamples:\n  $ oblic-hooks sign body.json\n  $ printf %s "$BODY" | oblic-hooks sign --secret-file .secret')
    .action(async (file: string | undefined, opts: SecretFlags) => {
      const u = await ui();
      const input = openInput(file, u.io.stdin);
      const { secret } = await useSecret(u, opts, 'signing');
      u.io.stdout.write(`${await hmacOfStream(secret, input, file ?? 'standard input')}\n`);
    });
}

/** A file, or standard input when it is not a terminal (a terminal would wait for typing forever). */
export function openInput(file: string | undefined, stdin: Readable & { isTTY?: boolean }): Readable {
  if (file !== undefined && file !== '-') return createReadStream(file);
  if (stdin.isTTY) throw new InputError('no input: give a file, or pipe the body on standard input');
  return stdin;
}

async function hmacOfStream(secret: string, input: Readable, name: string): Promise<string> {
  try {
    return await signStream(secret, input);
  } catch (error) {
    throw new InputError(`cannot read ${name}: ${describeFsError(error)}`);
  }
}
