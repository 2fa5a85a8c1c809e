// The help of --ca and --insecure, for the commands' index.ts: no imports, so declaring the options
// costs start-up nothing (reading them is tls-read.ts, which only a command's run.ts loads).

export interface TlsFlags {
  ca?: string;
  insecure?: boolean;
}

/** The help of --ca and --insecure, for a command that delivers to an https: `what`. */
export const caHelp = (what: string) => `trust this certificate (PEM) for an https ${what}, as well as Node's own`;
export const insecureHelp = (what: string) =>
  `do not check the certificate of an https ${what} (loopback only; warned)`;
