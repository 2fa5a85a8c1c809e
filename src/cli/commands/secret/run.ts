import { devSecretPath, loadDevSecret, rotateDevSecret } from '../../dev-secret.js';
import type { Ui } from '../../io.js';

export interface SecretCommandFlags {
  rotate?: boolean;
  path?: boolean;
}

export async function run(flags: SecretCommandFlags, ui: Ui): Promise<void> {
  // Where it is (or would be) kept: asking must not create it.
  if (flags.path && !flags.rotate) return void ui.io.stdout.write(`${devSecretPath(ui.io.env)}\n`);
  const dev = flags.rotate ? await rotateDevSecret(ui.io.env) : await loadDevSecret(ui.io.env);
  if (flags.rotate) ui.say(ui.err.dim(`rotated the development secret in ${dev.path}`));
  else if (dev.created) ui.say(ui.err.dim(`created a development secret in ${dev.path}`));
  ui.io.stdout.write(`${flags.path ? dev.path : dev.secret}\n`);
}
