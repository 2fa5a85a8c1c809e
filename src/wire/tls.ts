import { rootCertificates } from 'node:tls';

// Imported (for values) only by pool.ts and forward.ts, which load with undici and its TLS anyway.
/**
 * How an https: target's certificate is checked: against Node's CAs plus `ca` (a development
 * server's own certificate, `--ca`), or not at all (`--insecure`, which the CLI allows for a loopback
 * target only). Undefined: Node's defaults.
 */
export interface TlsOptions {
  /** PEM: one or more certificates to trust besides Node's own. */
  ca?: string;
  insecure?: boolean;
}

/** undici's `connect` options for `tls`; undefined for an http: target or none given. */
export function connectOptions(
  origin: URL,
  tls: TlsOptions | undefined,
): { ca?: string[]; rejectUnauthorized?: boolean } | undefined {
  if (origin.protocol !== 'https:' || tls === undefined) return undefined;
  // Node's `ca` replaces its own list, so the defaults go with the one given.
  const options: { ca?: string[]; rejectUnauthorized?: boolean } = {};
  if (tls.ca !== undefined) options.ca = [...rootCertificates, tls.ca];
  if (tls.insecure) options.rejectUnauthorized = false;
  return options;
}
