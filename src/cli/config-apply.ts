import type { Command } from 'commander';
import { terminalText } from '../base/text.js';
import { type ConfigKey, loadProjectConfig, type ProjectConfig } from './config.js';
import type { SecretFlags } from './flags.js';
import type { Ui } from './io.js';

// The project config (cli/config.ts) applied to a command's flags: a value in the file fills in an
// option the command line did not give, and each one used is said on stderr with the file it came
// from, as `signing with …` says where the secret came from.

/** The flag each key stands for, as the stderr line names it. */
export const CONFIG_FLAGS: Record<ConfigKey, string> = {
  to: '--to',
  forwardTo: '--forward-to',
  port: '--port',
  path: '--path',
  secretFile: '--secret-file',
  save: '--save',
  deadline: '--deadline',
};

/** What `--config <file>` (a program option, cli/main.ts) names, seen from any command. */
export function configFlag(command: Command): string | undefined {
  return command.optsWithGlobals<{ config?: string }>().config;
}

export interface Applied<F> {
  flags: F;
  config: ProjectConfig | undefined;
  /** The keys whose values came from the file. */
  used: Set<ConfigKey>;
}

/**
 * `flags` with the project config's values for `keys` where the command line gave none (commander's
 * getOptionValueSource is "cli" only for a flag typed). secretFile counts as given when --secret or
 * --secret-file is: either wins over the file, and the file over $OBLIC_WEBHOOK_SECRET. Its line is
 * the command's own "signing with the secret file … named in ./oblic-hooks.config.json".
 */
export async function applyProjectConfig<F extends SecretFlags>(
  command: Command,
  flags: F,
  keys: readonly ConfigKey[],
  ui: Ui,
): Promise<Applied<F>> {
  const config = await loadProjectConfig(configFlag(command));
  const used = new Set<ConfigKey>();
  if (config === undefined) return { flags, config, used };
  const out: F = { ...flags };
  for (const key of keys) {
    const value = config.values[key];
    if (value === undefined) continue;
    if (key === 'secretFile') {
      if ((flags.secretSources ?? []).length > 0) continue;
      out.secretSources = [{ kind: 'file', path: String(value), from: config.label }];
    } else {
      if (command.getOptionValueSource(key) === 'cli') continue;
      (out as Record<string, unknown>)[key] = value;
      ui.say(ui.err.dim(sayUsed(CONFIG_FLAGS[key], value, config)));
    }
    used.add(key);
  }
  return { flags: out, config, used };
}

/** `--to http://localhost:3000/webhooks (from ./oblic-hooks.config.json)`. */
export function sayUsed(flag: string, value: string | number, config: ProjectConfig): string {
  return `${flag} ${terminalText(String(value))} (from ${terminalText(config.label)})`;
}
