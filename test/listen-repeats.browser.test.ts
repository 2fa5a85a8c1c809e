// The inspector (listen --ui) shows repeats (issue 16) in a real browser: the mark on the row and in
// the detail, the filter, and an id from input that stays text.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInspectorPage } from './helpers/inspector-page.js';
import { startCli, type RunningCli } from './helpers/cli.js';
import { deliverRaw } from './helpers/deliver.js';

const SECRET = 'repeats-browser-secret-16';
const event = (id: string, message: string) =>
  JSON.stringify({ id, type: 'message.updated', payload: { id: 'SIuAFUNKdSYHZF2w', message } });
const FIRST = event('a056V7R7NmNRjl70', 'Keep the change');
const EDITED = event('a056V7R7NmNRjl70', 'Keep the change, ya filthy animal');
const OTHER = event('b056V7R7NmNRjl71', 'Merry Christmas');
const HOSTILE_ID = '<img src=x onerror="window.pwned=1">';
const HOSTILE = event(HOSTILE_ID, 'x');
// Delivered in this order: seq 1 to 6 in the inspector.
const DELIVERIES = [FIRST, OTHER, FIRST, EDITED, HOSTILE, HOSTILE];

const deliver = (url: string, body: string) => deliverRaw(url, body, SECRET);

let browser: Browser;
let page: Page;
let cli: RunningCli;
let problems: string[] = [];
const row = (seq: number) => page.locator(`#rows tr[data-seq="${seq}"]`);
const visibleSeqs = () =>
  page.locator('#rows tr:visible').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));

beforeAll(async () => {
  cli = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0'], { env: { OBLIC_WEBHOOK_SECRET: SECRET } });
  const listenUrl = await cli.url;
  const uiUrl = await cli.stderr(/inspector on (http:\/\/\S+)/);
  ({ browser, page, problems } = await openInspectorPage(uiUrl));
  for (const body of DELIVERIES) await deliver(listenUrl, body);
  await row(DELIVERIES.length).waitFor();
});

afterAll(async () => {
  await browser?.close();
  cli?.signal('SIGKILL');
});

describe('listen --ui shows repeats', () => {
  it('marks a repeat on its row, beside its id, with the time of the first as its title, and counts them', async () => {
    const firstTime = (await row(1).locator('td:nth-child(2)').textContent())!;
    expect(await row(1).locator('.dup').count()).toBe(0);
    expect(await row(2).locator('.dup').count()).toBe(0);
    expect(await row(3).locator('.dup').textContent()).toBe('↻ same bytes');
    expect(await row(3).locator('.dup').getAttribute('title')).toBe(`duplicate of ${firstTime} (same bytes)`);
    expect(await row(4).locator('.dup').textContent()).toBe('↻ different bytes');
    expect(await row(4).locator('.dup').getAttribute('title')).toBe(
      `duplicate of ${firstTime} (same id, different bytes)`,
    );
    expect(await row(3).locator('td:nth-child(4)').textContent()).toBe('a056V7R7NmNRjl70↻ same bytes');
    expect(await page.locator('#counts').textContent()).toBe(
      '6 deliveries · 6 verified · 0 invalid · 0 unsigned · 3 duplicates',
    );
  });

  it('says the same in the detail of a repeat, and nothing in that of a first delivery', async () => {
    const firstTime = (await row(1).locator('td:nth-child(2)').textContent())!;
    await row(4).click();
    await page.locator('#duplicate').waitFor();
    expect(await page.locator('#duplicate').textContent()).toBe(
      `↻ duplicate of ${firstTime} (same id, different bytes)`,
    );
    await row(2).click();
    await page.locator('#detail h2', { hasText: 'b056V7R7NmNRjl71' }).waitFor();
    expect(await page.locator('#duplicate').count()).toBe(0);
  });

  it('filters to repeats, to those of the same bytes and to those of other bytes', async () => {
    await page.selectOption('#repeats', 'any');
    expect(await visibleSeqs()).toEqual([6, 4, 3]);
    await page.selectOption('#repeats', 'same');
    expect(await visibleSeqs()).toEqual([6, 3]);
    await page.selectOption('#repeats', 'different');
    expect(await visibleSeqs()).toEqual([4]);
    await page.selectOption('#resource', 'contact'); // with the other filters
    expect(await visibleSeqs()).toEqual([]);
    await page.selectOption('#resource', '');
    await page.selectOption('#repeats', '');
    expect(await visibleSeqs()).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('shows an id from input as text on the row and in the detail of its repeat, and runs none of it', async () => {
    expect(await row(6).locator('td:nth-child(4)').textContent()).toBe(`${HOSTILE_ID}↻ same bytes`);
    expect(await row(6).locator('.dup').textContent()).toBe('↻ same bytes');
    await row(6).click();
    await page.locator('#duplicate').waitFor();
    expect(await page.locator('#detail h2').textContent()).toContain(HOSTILE_ID);
    expect(await page.locator('#detail img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(problems).toEqual([]);
  });
});
