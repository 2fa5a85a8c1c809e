import { Option } from 'commander';
import type { SecretSource } from './secrets.js';

/** Where the secret flags of `listen` and `verify` land: `opts.secretSources`. */
export interface SecretSourceFlags {
  secretSources?: SecretSource[];
}

/**
 * --secret and --secret-file write one shared list. Commander runs option parsers in argv order, so
 * `--secret-file a --secret b` makes a secret #1, as the user numbered them (issue 13, item 17).
 */
class SecretSourceOption extends Option {
  override attributeName(): string {
    return 'secretSources';
  }
}

const append =
  (source: (value: string) => SecretSource) =>
  (value: string, previous: SecretSource[] = []) => [...previous, source(value)];

export function secretOption(description: string): Option {
  return new SecretSourceOption('--secret <secret>', description).argParser(
    append((secret) => ({ kind: 'flag', secret })),
  );
}

export function secretFileOption(description: string): Option {
  return new SecretSourceOption('--secret-file <path>', description).argParser(
    append((path) => ({ kind: 'file', path })),
  );
}
