import { chromium, type Browser, type Page } from 'playwright-core';
import { testBrowser } from './chromium.js';

/**
 * The test browser on the inspector at `url`, 1,400 × 820 (the width the size column must fit),
 * once the page says it is ready. `problems` collects what must never happen: a Content Security
 * Policy refusal in the console, or an error thrown in the page.
 */
export async function openInspectorPage(url: string): Promise<{ browser: Browser; page: Page; problems: string[] }> {
  const problems: string[] = [];
  const browser = await chromium.launch({
    ...(await testBrowser()),
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  page.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && problems.push(m.text()));
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  return { browser, page, problems };
}
