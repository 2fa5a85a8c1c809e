import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from './helpers/cli.js';

const SECRET = 'inspector-hardening-secret-2613';
const running: RunningCli[] = [];

afterEach(() => {
  for (const cli of running.splice(0)) cli.signal('SIGKILL');
});

/** `listen --ui` from the built binary; resolves with both URLs once the inspector says where it is. */
async function startInspector(args: string[] = []): Promise<{ listen: string; ui: URL }> {
  const cli = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0', ...args], {
    env: { OBLIC_WEBHOOK_SECRET: SECRET },
  });
  running.push(cli);
  const listen = await cli.url;
  return { listen, ui: new URL(await cli.stderr(/inspector on (http:\/\/\S+)/)) };
}

/** One raw request on its own connection, so the request-target is exactly what a sender wrote. */
function raw(url: string, head: string, body = ''): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.end(`${head}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

const post = (listen: string, target: string, body: string) =>
  raw(listen, `POST ${target} HTTP/1.1\r\nHost: ${new URL(listen).host}\r\nContent-Type: application/json`, body);

/**
 * Subscribes to the inspector's event stream (resolved once the stream is open) and then collects
 * the first n deliveries it announces: the test waits for the events, not for time.
 */
async function announced(ui: URL, n: number): Promise<{ done: Promise<Array<{ seq: number }>> }> {
  const response = await fetch(new URL('/api/events', ui));
  const reader = response.body!.getReader();
  const done = (async () => {
    const seen: Array<{ seq: number }> = [];
    let text = '';
    while (seen.length < n) {
      const { value, done: ended } = await reader.read();
      if (ended) throw new Error(`the event stream ended after ${seen.length} of ${n} deliveries`);
      text += Buffer.from(value).toString('utf8');
      for (let at = text.indexOf('\n\n'); at !== -1; at = text.indexOf('\n\n')) {
        const block = text.slice(0, at);
        text = text.slice(at + 2);
        if (block.startsWith('data: ')) seen.push(JSON.parse(block.slice(6)) as { seq: number });
      }
    }
    await reader.cancel();
    return seen;
  })();
  return { done };
}

describe('listen --ui answers with a strict CSP, nosniff and no-referrer (issue 13, item 26)', () => {
  it('sends the three headers on every answer: page, script, style, icon, API, 404, 403', async () => {
    const { ui } = await startInspector();
    const paths = [
      '/',
      '/inspector.js',
      '/inspector.css',
      '/favicon.ico',
      '/api/config',
      '/api/deliveries',
      '/api/deliveries/99',
      '/nope',
    ];
    const answers = await Promise.all(paths.map((path) => fetch(new URL(path, ui))));
    answers.push(
      await fetch(new URL('/api/send', ui), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    for (const answer of answers) {
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp, answer.url).toMatch(/(^|; )default-src 'none'(;|$)/);
      expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(csp).toMatch(/(^|; )style-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe/);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 404, 404, 403]);
    const rebinding = await raw(ui.href, `GET / HTTP/1.1\r\nHost: evil.example:${ui.port}`);
    expect(rebinding).toMatch(/^HTTP\/1.1 403/);
    expect(rebinding).toMatch(/\r\ncontent-security-policy: default-src 'none'/i);
    expect(rebinding).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
  });

  it('serves a page with no inline script or style, and a --forward-to value only as JSON', async () => {
    const forward = "http://127.0.0.1:9/a';alert(1);'</script>";
    const { ui } = await startInspector(['--forward-to', forward]);
    const html = await fetch(ui).then((r) => r.text());
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toContain('alert');
    const config = (await fetch(new URL('/api/config', ui)).then((r) => r.json())) as { forwardTo: string };
    expect(config.forwardTo).toBe(new URL(forward).href);
  });
});

describe('listen --ui "copy as curl" goes to the listener, at the captured path only (issue 13, item 27)', () => {
  it('keeps //host/x and http://host/x on the listener, and answers a detail for any request-target', async () => {
    const { listen, ui } = await startInspector();
    const targets = ['/hooks?a=1', '//evil.example/x', 'http://evil.example/y?z=1', 'http://['];
    const stream = await announced(ui, targets.length);
    for (const target of targets) expect(await post(listen, target, '{}')).toMatch(/^HTTP\/1.1 200/);
    const seen = await stream.done;
    const curls: Array<[number, string | undefined]> = [];
    for (const { seq } of seen) {
      const answer = await fetch(new URL(`/api/deliveries/${seq}`, ui));
      const { curl } = (await answer.json()) as { curl?: string };
      curls.push([answer.status, curl && /\n {2}curl -sS --request POST \\\n {2}'([^']*)'/.exec(curl)?.[1]]);
    }
    const origin = new URL(listen).origin;
    expect(curls).toEqual([
      [200, `${origin}/hooks?a=1`],
      [200, `${origin}//evil.example/x`],
      [200, `${origin}/y?z=1`],
      [200, `${origin}/`],
    ]);
  });
});

describe('listen --ui bounds its history in bytes (issue 13, item 28)', () => {
  it('--ui-history-size 1MiB keeps the newest three of five 300 KiB deliveries', async () => {
    const { listen, ui } = await startInspector(['--ui-history-size', '1MiB']);
    const stream = await announced(ui, 5);
    const body = (n: number) =>
      JSON.stringify({ id: `Big${n}`, type: 'message.created', payload: { pad: 'x'.repeat(300 * 1024) } });
    for (let n = 1; n <= 5; n++) expect(await post(listen, '/', body(n))).toMatch(/^HTTP\/1.1 200/);
    const seen = await stream.done;
    const list = (await fetch(new URL('/api/deliveries', ui)).then((r) => r.json())) as Array<{ id: string }>;
    expect(list.map((d) => d.id)).toEqual(['Big5', 'Big4', 'Big3']);
    const gone = await fetch(new URL(`/api/deliveries/${seen[0]!.seq}`, ui));
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: string }).error).toBe(
      'this delivery is no longer held: the inspector keeps the newest 1000 deliveries, at most 1 MiB in all',
    );
  });

  it('--ui-history-size takes a size and says so when it is not one', async () => {
    const cli = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0', '--ui-history-size', 'lots'], {
      env: { OBLIC_WEBHOOK_SECRET: SECRET },
    });
    const result = await cli.exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--ui-history-size "lots" is not a size');
  });
});

describe('listen --ui serves a favicon (issue 13, item 29)', () => {
  it('answers /favicon.ico with a small ICO', async () => {
    const { ui } = await startInspector();
    const answer = await fetch(new URL('/favicon.ico', ui));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/x-icon');
    const bytes = Buffer.from(await answer.arrayBuffer());
    expect(bytes.subarray(0, 6)).toEqual(Buffer.from([0, 0, 1, 0, 1, 0]));
    expect(bytes.length).toBeLessThan(2048);
  });
});
