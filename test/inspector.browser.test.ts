import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBrowser } from './helpers/chromium.js';
import { runCli, startCli, type RunningCli } from './helpers/cli.js';
import { signatureOf, startServer, type TestServer } from './helpers/server.js';

const SECRET = 'inspector-test-secret-5150';
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

const event = (id: string, type: string, payload: object) => JSON.stringify({ id, type, payload });
const MESSAGE = event('MsgMsgMsgMsgMsg1', 'message.created', {
  id: 'SIuAFUNKdSYHZF2w',
  contact: { username: 'KevinMcCallister' },
  message: 'Keep the change 🎄',
});
const CONTACT = event('CntCntCntCntCnt1', 'contact.updated', {
  id: 'WAz8eIbvDR60rouK',
  username: 'ZoeKruger',
  phone_number: '+49 30 901820',
});
const GROUP = event('GrpGrpGrpGrpGrp1', 'group.deleted', {
  id: 'xgQQXg3hrtjh7AvZ',
  name: 'Wet Bandits',
  contacts: [{}, {}],
});

/** One real delivery to the listener, signed as Oblic signs (or with another secret). */
function deliver(url: string, body: string, secret = SECRET): Promise<string> {
  const { hostname, port } = new URL(url);
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  const head = `POST / HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Oblic-Signature: ${signature}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.end(Buffer.concat([Buffer.from(head), Buffer.from(body)]));
  });
}

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What the browser reports about the page's Content-Security-Policy: a violation is logged as "Refused to …". */
function watchCsp(target: Page): string[] {
  const violations: string[] = [];
  target.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  target.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  return violations;
}

/** Opens the inspector in a new tab and waits until its script has loaded the list and subscribed. */
async function openInspector(url: string): Promise<{ tab: Page; response: Response | null; violations: string[] }> {
  const tab = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  const violations = watchCsp(tab);
  const response = await tab.goto(url);
  await tab.locator('body[data-ready="true"]').waitFor();
  return { tab, response, violations };
}

/** Clicks a row and waits until the detail view shows that delivery (opening it is asynchronous). */
async function openRow(type: string, id: string): Promise<void> {
  await page.locator(`tr[data-type="${type}"]`).click();
  await page.locator('#detail h2', { hasText: id }).waitFor();
}

let browser: Browser;
let page: Page;
let pageResponse: Response | null;
let violations: string[];
let cli: RunningCli;
let app: TestServer;
let uiUrl: string;
let listenUrl: string;

beforeAll(async () => {
  app = await startServer((_request, response) => response.writeHead(202).end('recorded'));
  cli = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0'], { env: { OBLIC_WEBHOOK_SECRET: SECRET } });
  listenUrl = await cli.url;
  uiUrl = await cli.stderr(/inspector on (http:\/\/\S+)/);
  browser = await chromium.launch({
    ...(await testBrowser()),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  ({ tab: page, response: pageResponse, violations } = await openInspector(uiUrl));
});

afterAll(async () => {
  await browser?.close();
  cli?.signal('SIGKILL');
  await app?.close();
});

describe('listen --ui in a real browser', () => {
  it('shows deliveries live, newest first, within 2 s, with their badges', async () => {
    await deliver(listenUrl, MESSAGE);
    await deliver(listenUrl, CONTACT);
    await deliver(listenUrl, GROUP, 'someone-elses-secret');
    await page.locator('tr[data-type="group.deleted"]').waitFor({ timeout: 2000 });
    const types = await page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    expect(types).toEqual(['group.deleted', 'contact.updated', 'message.created']);
    expect(await page.locator('tr[data-type="group.deleted"] .badge').textContent()).toBe('invalid');
    expect(await page.locator('tr[data-type="message.created"] .badge').textContent()).toBe('verified');
    expect(await page.locator('#counts').textContent()).toBe('3 deliveries · 2 verified · 1 invalid · 0 unsigned');
  });

  it('opens a delivery: summary, badge, verdict and the pretty payload', async () => {
    await openRow('message.created', 'MsgMsgMsgMsgMsg1');
    expect(await page.locator('#summary').textContent()).toBe('KevinMcCallister: “Keep the change 🎄”');
    expect(await page.locator('#badge').textContent()).toBe('verified');
    expect(await page.locator('#verdict').textContent()).toBe('signature verified');
    expect(await page.locator('#payload').innerText()).toContain('"message": "Keep the change 🎄"');
    await openRow('group.deleted', 'GrpGrpGrpGrpGrp1');
    expect(await page.locator('#verdict').textContent()).toMatch(/does not match/);
  });

  it('filters by resource and searches ids and bodies', async () => {
    await page.selectOption('#resource', 'contact');
    expect(await page.locator('#rows tr:visible').count()).toBe(1);
    await page.selectOption('#resource', '');
    await page.fill('#search', 'Wet Bandits');
    // Waits through locators: the page's CSP forbids the eval a string predicate would need.
    await page.locator('tr[data-type="message.created"]').waitFor({ state: 'hidden' });
    await page.locator('tr[data-type="contact.updated"]').waitFor({ state: 'hidden' });
    expect(await page.locator('#rows tr:visible').count()).toBe(1);
    expect(await page.locator('#rows tr:visible').getAttribute('data-type')).toBe('group.deleted');
    await page.fill('#search', '');
    await page.locator('tr[data-type="message.created"]').waitFor();
    await page.locator('tr[data-type="contact.updated"]').waitFor();
    expect(await page.locator('#rows tr:visible').count()).toBe(3);
  });

  it('replays a delivery byte for byte to a typed URL', async () => {
    await openRow('message.created', 'MsgMsgMsgMsgMsg1');
    await page.fill('#replay-url', `${app.url}/replayed`);
    await page.click('#replay');
    await page.locator('#replay-result:not(:empty)').waitFor();
    expect(await page.locator('#replay-result').textContent()).toMatch(/^answered 202 from /);
    const received = app.received.at(-1)!;
    expect(received.url).toBe('/replayed');
    expect(received.body.toString()).toBe(MESSAGE);
    expect(received.headers['x-oblic-signature']).toBe(signatureOf(SECRET, Buffer.from(MESSAGE)));
  });

  it('edits and replays: the new body is re-signed and verifies', async () => {
    await page.click('#edit');
    const edited = (await page.inputValue('#edited-body')).replace('Keep the change 🎄', 'Edited in the browser ✏️');
    await page.fill('#edited-body', edited);
    await page.click('#send-edited');
    await page
      .locator('#replay-result', { hasText: 'signed' })
      .or(page.locator('#replay-result', { hasText: 'failed' }))
      .waitFor();
    expect(await page.locator('#replay-result').textContent()).toMatch(/^answered 202 from .* · signed /);
    const received = app.received.at(-1)!;
    expect(received.body.toString()).toBe(edited);
    expect(received.headers['x-oblic-signature']).toBe(signatureOf(SECRET, received.body));
  });

  it('sends a sample event from the page into the listener, and compares two deliveries', async () => {
    await page.selectOption('#sample-type', 'attachment.created');
    await page.click('#send-sample');
    await page.locator('tr[data-type="attachment.created"]').waitFor({ timeout: 2000 });
    expect(await page.locator('tr[data-type="attachment.created"] .badge').textContent()).toBe('verified');
    await page.locator('tr[data-type="message.created"] .pick').check();
    await page.locator('tr[data-type="contact.updated"] .pick').check();
    await page.click('#compare');
    await page.locator('#diff').waitFor();
    expect(await page.locator('#diff').innerText()).toContain('.payload.message');
    mkdirSync(ARTIFACTS, { recursive: true });
    await openRow('message.created', 'MsgMsgMsgMsgMsg1');
    await page.screenshot({ path: join(ARTIFACTS, 'inspector.png') });
  });

  it('compares with the older delivery on the "before" side (issue 13, item 29)', async () => {
    await page.locator('tr[data-type="message.created"] .pick').check();
    await page.locator('tr[data-type="contact.updated"] .pick').check();
    await page.click('#compare');
    const row = page.locator('#diff tr', { hasText: '.payload.message' });
    await row.waitFor();
    expect(await row.locator('.del').textContent()).toBe('"Keep the change 🎄"');
    expect(await row.locator('.add').textContent()).toBe('(absent)');
  });

  it('edits compact JSON by default, 2-space on request, and sends what the box shows (issue 13, item 29)', async () => {
    await openRow('message.created', 'MsgMsgMsgMsgMsg1');
    await page.click('#edit');
    expect(await page.inputValue('#edited-body')).toBe(MESSAGE);
    await page.selectOption('#edit-format', '2');
    const pretty = JSON.stringify(JSON.parse(MESSAGE), null, 2);
    expect(await page.inputValue('#edited-body')).toBe(pretty);
    await page.fill('#replay-url', `${app.url}/pretty`);
    await page.click('#send-edited');
    await page.locator('#replay-result', { hasText: /signed|failed/ }).waitFor();
    const received = app.received.at(-1)!;
    expect([received.url, received.body.toString()]).toEqual(['/pretty', pretty]);
    expect(received.headers['x-oblic-signature']).toBe(signatureOf(SECRET, received.body));
    await page.selectOption('#edit-format', '0');
    expect(await page.inputValue('#edited-body')).toBe(MESSAGE);
  });

  it('re-indents without re-reading values: a 20-digit number and escapes keep their bytes (issue 13, item 29)', async () => {
    const big =
      '{"id":"BigBigBigBigBig1","type":"message.updated","payload":{"n":12345678901234567890,"s":"a\\"b\\\\c","e":{},"l":[ ]}}';
    await deliver(listenUrl, big);
    await openRow('message.updated', 'BigBigBigBigBig1');
    await page.click('#edit');
    expect(await page.inputValue('#edited-body')).toBe(big.replace('[ ]', '[]'));
    await page.selectOption('#edit-format', '2');
    const pretty = [
      '{',
      '  "id": "BigBigBigBigBig1",',
      '  "type": "message.updated",',
      '  "payload": {',
      '    "n": 12345678901234567890,',
      '    "s": "a\\"b\\\\c",',
      '    "e": {},',
      '    "l": []',
      '  }',
      '}',
    ];
    expect(await page.inputValue('#edited-body')).toBe(pretty.join('\n'));
  });

  it('words its errors in the page’s terms, not in CLI flags (issue 13, item 29)', async () => {
    await openRow('message.created', 'MsgMsgMsgMsgMsg1');
    await page.fill('#replay-url', '');
    await page.click('#replay');
    await page.locator('#replay-result:not(:empty)').waitFor();
    expect(await page.locator('#replay-result').textContent()).toBe(
      'failed: type a URL to replay to: this listener forwards nowhere',
    );
    const port = await closedPort();
    await page.fill('#replay-url', `http://127.0.0.1:${port}/hooks`);
    await page.click('#replay');
    await page.locator('#replay-result', { hasText: 'nothing is listening' }).waitFor();
    expect(await page.locator('#replay-result').textContent()).toBe(
      `failed: nothing is listening at http://127.0.0.1:${port}/hooks; start your app, or change the URL`,
    );
  });

  it('runs under a strict CSP without a single violation (issue 13, item 26)', async () => {
    const headers = pageResponse!.headers();
    expect(headers['content-security-policy']).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(headers['content-security-policy']).toMatch(/(^|; )style-src 'self'(;|$)/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(violations).toEqual([]);
  });

  it('refuses state-changing requests without the token, from another origin or for another host', async () => {
    const base = new URL(uiUrl);
    const { token } = (await fetch(new URL('/api/config', base)).then((r) => r.json())) as { token: string };
    const post = (headers: Record<string, string>) =>
      fetch(new URL('/api/send', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"type":"message.created"}',
      }).then((r) => r.status);
    expect(await post({})).toBe(403);
    expect(await post({ 'x-oblic-hooks-token': 'wrong' })).toBe(403);
    expect(await post({ 'x-oblic-hooks-token': token!, origin: 'http://evil.example' })).toBe(403);
    expect(await post({ 'x-oblic-hooks-token': token!, origin: base.origin })).toBe(200);
    const rebinding = await new Promise<string>((resolve) => {
      const socket = connect(Number(base.port), '127.0.0.1');
      let answer = '';
      socket.on('data', (c) => (answer += c));
      socket.on('close', () => resolve(answer));
      socket.end(`GET /api/deliveries HTTP/1.1\r\nHost: evil.example:${base.port}\r\nConnection: close\r\n\r\n`);
    });
    expect(rebinding).toMatch(/^HTTP\/1.1 403/);
  });
});

describe('listen --ui history', () => {
  it('reloads yesterday’s captures from --save at start, and serves each as a downloadable capture that verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-ui-save-'));
    const env = { OBLIC_WEBHOOK_SECRET: SECRET };
    const first = startCli(['listen', '--port', '0', '--save', dir, '--exit-after', '2'], { env });
    const url = await first.url;
    await deliver(url, MESSAGE);
    await deliver(url, CONTACT);
    expect((await first.exited).code).toBe(0);
    const second = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0', '--save', dir], { env });
    try {
      const ui = await second.stderr(/inspector on (http:\/\/\S+)/);
      const list = (await fetch(new URL('/api/deliveries', ui)).then((r) => r.json())) as Array<{
        seq: number;
        type: string;
        badge: string;
        status: number | null;
      }>;
      expect(list.map((d) => [d.type, d.badge, d.status])).toEqual([
        ['contact.updated', 'verified', null],
        ['message.created', 'verified', null],
      ]);
      const response = await fetch(new URL(`/api/deliveries/${list[1]!.seq}/capture`, ui));
      const file = join(dir, 'downloaded.bin');
      writeFileSync(file, new Uint8Array(await response.arrayBuffer()));
      expect((await runCli(['verify', file], { env })).code).toBe(0);
      const detail = (await fetch(new URL(`/api/deliveries/${list[1]!.seq}`, ui)).then((r) => r.json())) as {
        curl: string;
      };
      expect(detail.curl).toMatch(/^printf '[^\n]*' \| \\\n {2}curl -sS --request POST/);
      // What was answered is not in a capture: the row says so rather than show a status (issue 13, item 29).
      const { tab } = await openInspector(ui);
      const status = tab.locator('tr[data-type="contact.updated"] td:nth-child(6)');
      expect(await status.textContent()).toBe('—');
      expect(await status.getAttribute('title')).toBe(
        'reloaded from the save directory: what was answered is not stored',
      );
      await tab.close();
    } finally {
      second.signal('SIGKILL');
    }
  });
});

describe('listen --ui with a quote in --forward-to and a history of one', () => {
  let hostile: RunningCli;
  let hostileListen: string;
  let tab: Page;
  let tabViolations: string[];
  const FORWARD = "http://127.0.0.1:9/hooks';window.pwned=1;'";

  beforeAll(async () => {
    hostile = startCli(
      ['listen', '--port', '0', '--ui', '--ui-port', '0', '--ui-history', '1', '--forward-to', FORWARD],
      { env: { OBLIC_WEBHOOK_SECRET: SECRET } },
    );
    hostileListen = await hostile.url;
    ({ tab, violations: tabViolations } = await openInspector(await hostile.stderr(/inspector on (http:\/\/\S+)/)));
  });

  afterAll(async () => {
    await tab?.close();
    hostile?.signal('SIGKILL');
  });

  it('shows the forward target as text in the URL field and runs none of it (issue 13, item 26)', async () => {
    await deliver(hostileListen, MESSAGE);
    await deliver(hostileListen, CONTACT);
    await tab.locator('tr[data-type="contact.updated"]').click();
    await tab.locator('#replay-url').waitFor();
    expect(await tab.inputValue('#replay-url')).toBe(new URL(FORWARD).href);
    expect(await tab.evaluate(() => (globalThis as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(tabViolations).toEqual([]);
  });

  it('says that a delivery dropped from the history is no longer held (issue 13, item 28)', async () => {
    await tab.locator('tr[data-type="message.created"]').click();
    await tab.locator('#gone').waitFor();
    expect(await tab.locator('#gone').textContent()).toBe(
      'this delivery is no longer held: the inspector keeps the newest 1 delivery, at most 64 MiB in all',
    );
  });
});
