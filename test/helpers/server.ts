import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export type Reply = (request: Received, response: ServerResponse, index: number) => void;

export interface TestServer {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

const ok: Reply = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"received":true}');
};

/** A real node:http server on 127.0.0.1, port 0, recording every request's raw body bytes. */
export async function startServer(reply: Reply = ok): Promise<TestServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      received.push(request);
      reply(request, res, received.length - 1);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The check an app does, written here independently of the product's code. */
export function signatureOf(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * `serve(reply)` for a test file: starts a server as startServer does and closes every one it
 * started after each test.
 */
export function serveEach(): (reply: Reply) => Promise<TestServer> {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });
  return async (reply) => {
    const server = await startServer(reply);
    servers.push(server);
    return server;
  };
}
