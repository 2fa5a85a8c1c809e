import { Pool } from 'undici';
import { describeError, type DeliveryError } from './deliver.js';

export interface ForwardResult {
  status: number | null;
  ms: number;
  headers: Array<[string, string]>;
  body: Buffer;
  error: DeliveryError | null;
}

export interface Forwarder {
  forward(method: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Promise<ForwardResult>;
  close(): Promise<void>;
}

// RFC 9110 §7.6.1: connection-specific headers are not forwarded; host and length are the transport's.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

/** Sends each request on to the user's app with the exact body and the original headers (host rewritten). */
export function createForwarder(target: URL, timeoutMs: number, now: () => number = () => performance.now()): Forwarder {
  const pool = new Pool(target.origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000) });
  return {
    async forward(method, headers, body) {
      const started = now();
      const outgoing: string[] = [];
      for (const [name, value] of headers) if (!HOP_BY_HOP.has(name.toLowerCase())) outgoing.push(name, value);
      try {
        const response = await pool.request({ path: `${target.pathname}${target.search}`, method, headers: outgoing, body });
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(chunk as Buffer);
        const responseHeaders: Array<[string, string]> = [];
        for (const [name, value] of Object.entries(response.headers)) {
          if (HOP_BY_HOP.has(name) || value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) responseHeaders.push([name, v]);
        }
        return { status: response.statusCode, ms: now() - started, headers: responseHeaders, body: Buffer.concat(chunks), error: null };
      } catch (error) {
        return { status: null, ms: now() - started, headers: [], body: Buffer.alloc(0), error: describeError(error, target, timeoutMs) };
      }
    },
    close: () => pool.close(),
  };
}
