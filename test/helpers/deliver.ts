// One webhook delivery written by hand over its own connection (Connection: close), for the tests
// that need the exact bytes on the wire rather than what an HTTP client would add.
import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** POSTs `body` to `url`, signed with `secret` (unsigned when null); resolves with the raw answer once the server closes. */
export function deliverRaw(url: string, body: string, secret: string | null): Promise<string> {
  const { hostname, port } = new URL(url);
  const signature =
    secret === null ? '' : `X-Oblic-Signature: ${createHmac('sha256', secret).update(body).digest('hex')}\r\n`;
  const head = `POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${signature}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.end(head + body);
  });
}

/** One request (a POST unless `method` says) with a chunked body: `chunks` written, then the body ended only if `end`. Resolves on the answer. */
export function post(
  port: number,
  headers: Record<string, string>,
  chunks: Buffer[],
  end = true,
  path = '/webhooks',
  method = 'POST',
): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    if (end) req.end();
  });
}
