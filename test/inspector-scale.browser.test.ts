// The inspector at 10,000 deliveries (issue 18): the list draws only the rows in view, and scrolling,
// filtering, selecting and comparing still work. Correctness only; the times are in
// `npm run bench inspector`.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInspectorPage } from './helpers/inspector-page.js';
import { startCli, type RunningCli } from './helpers/cli.js';
import { deliverRaw } from './helpers/deliver.js';
import { bodyOf, idOf, typeOf, writeCaptures } from './helpers/saved-captures.js';

const SECRET = 'inspector-scale-secret-18';
const COUNT = 10_000;

let dir: string;
let cli: RunningCli;
let browser: Browser;
let page: Page;
let problems: string[] = [];

const drawnSeqs = () =>
  page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
/** Resolves after two frames of the page: a scroll's event and the draw it asks for have both run. */
const frames = () =>
  page.locator('#list').evaluate(
    (box) =>
      new Promise((resolve) => {
        const view = box.ownerDocument.defaultView!;
        view.requestAnimationFrame(() => view.requestAnimationFrame(resolve));
      }),
  );
const scrollList = async (to: 'top' | 'end' | number) => {
  await page
    .locator('#list')
    .evaluate((box, at) => box.scrollTo(0, at === 'top' ? 0 : at === 'end' ? box.scrollHeight : at), to);
  await frames();
};
const row = (seq: number) => page.locator(`#rows tr[data-seq="${seq}"]`);

beforeAll(async () => {
  dir = writeCaptures(COUNT, SECRET);
  cli = startCli(['listen', '--port', '0', '--ui', '--ui-port', '0', '--ui-history', String(COUNT), '--save', dir], {
    env: { OBLIC_WEBHOOK_SECRET: SECRET },
  });
  const ui = await cli.stderr(/inspector on (http:\/\/\S+)/);
  ({ browser, page, problems } = await openInspectorPage(ui));
});

afterAll(async () => {
  await browser?.close();
  cli?.signal('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('listen --ui --ui-history 10000 with 10,000 captures in --save', () => {
  it('counts all 10,000 and draws only the rows in view, the newest on top', async () => {
    expect(await page.locator('#counts').textContent()).toBe(
      '10000 deliveries · 10000 verified · 0 invalid · 0 unsigned',
    );
    const seqs = await drawnSeqs();
    expect(seqs.length).toBeGreaterThan(20);
    expect(seqs.length).toBeLessThan(200);
    expect(seqs.slice(0, 3)).toEqual([COUNT, COUNT - 1, COUNT - 2]);
    expect(await row(COUNT).getAttribute('data-type')).toBe(typeOf(COUNT));
    expect(await row(COUNT).locator('td:nth-child(4)').textContent()).toBe(idOf(COUNT));
  });

  it('scrolls to the end and shows the oldest delivery last, still with few rows drawn', async () => {
    await scrollList('end');
    await row(1).waitFor();
    const seqs = await drawnSeqs();
    expect(seqs.at(-1)).toBe(1);
    expect(seqs.length).toBeLessThan(200);
    const last = (await row(1).boundingBox())!;
    const list = (await page.locator('#list').boundingBox())!;
    expect(last.y + last.height).toBeLessThanOrEqual(list.y + list.height + 1);
    await scrollList('top');
    await row(COUNT).waitFor();
  });

  it('narrows to one delivery by search, and opens the right detail from it', async () => {
    await page.fill('#search', idOf(4321));
    await row(4321).waitFor();
    await row(COUNT).waitFor({ state: 'detached' });
    expect(await drawnSeqs()).toEqual([4321]);
    await row(4321).click();
    await page.locator('#detail h2', { hasText: idOf(4321) }).waitFor();
    expect(await page.locator('#payload').innerText()).toContain('"message": "delivery number 4321 of the scale test"');
    expect(await row(4321).getAttribute('class')).toBe('row on');
    await page.fill('#search', '');
    await row(COUNT).waitFor();
  });

  it('filters by resource over all 10,000 and scrolls that list to its end', async () => {
    const groups = [...Array(COUNT).keys()].map((i) => i + 1).filter((i) => typeOf(i).startsWith('group.'));
    const message = COUNT - 3;
    expect(typeOf(message)).toBe('message.updated');
    await page.selectOption('#resource', 'group');
    await row(message).waitFor({ state: 'detached' });
    await row(groups.at(-1)!).waitFor();
    const types = await page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    expect(types.every((t) => t?.startsWith('group.'))).toBe(true);
    expect((await drawnSeqs())[0]).toBe(groups.at(-1));
    await scrollList('end');
    await row(groups[0]!).waitFor();
    expect((await drawnSeqs()).at(-1)).toBe(groups[0]);
    await page.selectOption('#resource', '');
    await scrollList('top');
    await row(COUNT).waitFor();
  });

  it('keeps a selection and the checked rows while they scroll out of view and back, and compares them', async () => {
    await row(COUNT).click();
    await page.locator('#detail h2', { hasText: idOf(COUNT) }).waitFor();
    await row(COUNT).locator('.pick').check();
    await scrollList('end');
    await row(1).locator('.pick').check();
    await scrollList('top');
    await row(COUNT).waitFor();
    expect(await row(COUNT).getAttribute('class')).toBe('row on');
    expect(await row(COUNT).locator('.pick').isChecked()).toBe(true);
    await page.click('#compare');
    await page.locator('#diff').waitFor();
    expect(await page.locator('#detail h2').textContent()).toMatch(/^compare #1 and #10000 · \d+ differences$/);
  });

  it('puts a delivery that arrives on top, and keeps a scrolled view where it was', async () => {
    await scrollList(28 * 5000);
    const before = await drawnSeqs();
    await deliverRaw(await cli.url, bodyOf(COUNT + 1), SECRET);
    await page.locator('#counts', { hasText: '10001 deliveries' }).waitFor();
    await frames(); // the count is written when the row is taken in, the list drawn at the next frame
    expect(await drawnSeqs()).toEqual(before);
    await scrollList('top');
    await row(COUNT + 1).waitFor();
    expect((await drawnSeqs())[0]).toBe(COUNT + 1);
    expect(problems).toEqual([]);
  });
  it('shows the size column whole at 1,400 px wide, beside a long type and a repeat mark', async () => {
    // Same id, other bytes: the row's id cell carries "↻ different bytes", the widest it gets.
    const first = JSON.stringify({ id: 'RptRptRptRptRpt1', type: 'conversation.updated', payload: { n: 1 } });
    await deliverRaw(await cli.url, first, SECRET);
    await deliverRaw(await cli.url, first.replace('"n":1', '"n":2'), SECRET);
    await page.locator('#counts', { hasText: '10003 deliveries' }).waitFor();
    await scrollList('top');
    const repeat = row(COUNT + 3);
    expect(await repeat.locator('.dup').textContent()).toBe('↻ different bytes');
    const size = repeat.locator('td:nth-child(8)');
    expect(await size.textContent()).toBe(`${Buffer.byteLength(first)} B`);
    const cell = (await size.boundingBox())!;
    const list = (await page.locator('#list').boundingBox())!;
    expect(cell.width).toBeGreaterThan(40);
    expect(cell.x + cell.width).toBeLessThanOrEqual(list.x + list.width);
    expect(await page.locator('#list').evaluate((box) => box.scrollWidth <= box.clientWidth)).toBe(true);
    expect(problems).toEqual([]);
  });
});
