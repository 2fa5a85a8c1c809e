import { afterEach, describe, expect, it } from 'vitest';
import { runInShell } from './helpers/curl.js';
import { startServer, type TestServer } from './helpers/server.js';

// The stand-in for curl that the --print-curl tests run (issue 14) sends what curl 7.88 sends, so
// that their "no User-Agent, no Accept" can fail: these are the bytes real curl wrote, header for header.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the stand-in curl', () => {
  it("sends curl's own User-Agent, Accept and Content-Type, in curl's order, unless a header replaces or removes them", async () => {
    server = await startServer();
    const ran = await runInShell(
      Buffer.from(`printf 'ab' | curl -sS --request PUT ${server.url}/x?y=1 -H 'x-a: 1' --data-binary @-\n`),
    );
    expect(ran).toEqual({ code: 0, stdout: '{"received":true}', stderr: '' });
    expect(server.received[0]!.method).toBe('PUT');
    expect(server.received[0]!.url).toBe('/x?y=1');
    expect(server.received[0]!.rawHeaders).toEqual([
      'Host',
      `127.0.0.1:${server.port}`,
      'User-Agent',
      'curl/7.88.1',
      'Accept',
      '*/*',
      'x-a',
      '1',
      'Content-Length',
      '2',
      'Content-Type',
      'application/x-www-form-urlencoded',
    ]);
    expect(server.received[0]!.body.toString()).toBe('ab');
    await runInShell(
      Buffer.from(
        `printf '' | curl -sS --request POST ${server.url} --header 'accept:' --header 'user-agent: me' --header 'content-type: t' --data-binary @-\n`,
      ),
    );
    expect(server.received[1]!.rawHeaders).toEqual([
      'Host',
      `127.0.0.1:${server.port}`,
      'user-agent',
      'me',
      'content-type',
      't',
      'Content-Length',
      '0',
    ]);
  });

  it('refuses an option it does not implement, so a printer that emits a new one fails its test', async () => {
    server = await startServer();
    const ran = await runInShell(Buffer.from(`curl -sS --compressed ${server.url}\n`));
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('curl: (2) this stand-in does not take "--compressed"\n');
    expect(server.received).toHaveLength(0);
  });

  it('says so and exits 7 when nothing listens, as curl -sS does', async () => {
    server = await startServer();
    const { url, port } = server;
    await server.close();
    server = undefined;
    const ran = await runInShell(Buffer.from(`curl -sS ${url}\n`));
    expect(ran).toEqual({
      code: 7,
      stdout: '',
      stderr: `curl: (7) Failed to connect to 127.0.0.1 port ${port}: Couldn't connect to server\n`,
    });
  });
});
