/**
 * End to end: runs survive a reload. A tiny MLP pair (wasm) is paused mid-way, the page is reloaded, the runs come
 * back as they were (step, charts, summary) and Resume finishes them with every logged value equal to an
 * uninterrupted run's. A second tab opens without saving; a damaged stored run is named and the others restored;
 * "Clear saved runs" forgets them. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndServe, launchChromium } from './browser';

const HASH = 'model=mlp&steps=30&eval=10&hess=off&ramp=10&seed=0&backend=wasm';
const RUNS = ['lsq', 'lsq+cr'] as const;

let app: { url: string; close(): Promise<void> };
let browser: Browser;
const errors: string[] = [];

async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${app.url}#${HASH}`);
  await ready(page);
  return page;
}

const ready = (page: Page) => page.waitForFunction(() => !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 120_000 });
const text = async (page: Page, id: string) => (await page.getByTestId(id).textContent()) ?? '';
const step = async (page: Page, id: string) => Number(await text(page, `step-${id}`));

/** The per-step CSV without the timing column (the only value that differs between two runs of the same seed). */
async function stepsCsv(page: Page): Promise<string[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const lines = readFileSync(await download.path(), 'utf8').trim().split('\n');
  const ms = lines[0].split(',').indexOf('msPerStep');
  return lines.map((l) => l.split(',').filter((_, i) => i !== ms).join(','));
}

async function trainToEnd(page: Page): Promise<void> {
  await page.getByTestId('train').click();
  for (const id of RUNS) await expect.poll(() => text(page, `status-${id}`), { timeout: 180_000 }).toMatch(/step 30 \/ 30/);
  await expect.poll(() => page.getByTestId('export-csv').isEnabled()).toBe(true);
}

beforeAll(async () => {
  mkdirSync('test-results', { recursive: true });
  app = await buildAndServe();
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('runs survive a reload', () => {
  let reference: string[] = [];
  let context: BrowserContext;
  let page: Page;

  it('an uninterrupted run, for reference', async () => {
    const other = await browser.newContext({ acceptDownloads: true });
    const p = await open(other);
    await trainToEnd(p);
    reference = await stepsCsv(p);
    expect(reference.length).toBe(1 + 2 * 30);
    await other.close();
  }, 300_000);

  it('paused, reloaded: the runs come back as they were, and Resume ends with the same numbers', async () => {
    context = await browser.newContext({ acceptDownloads: true });
    page = await open(context);
    // Step by step to a known step (a pause lands wherever the run is).
    for (let i = 1; i <= 12; i++) {
      await expect.poll(() => page.getByTestId('step').isEnabled(), { timeout: 60_000 }).toBe(true);
      await page.getByTestId('step').click();
      for (const id of RUNS) await expect.poll(() => text(page, `status-${id}`), { timeout: 60_000 }).toMatch(new RegExp(`^Paused · step ${i} /`));
    }
    const at = { lsq: 12, 'lsq+cr': 12 };
    await expect.poll(() => text(page, 'saved-runs'), { timeout: 30_000 }).toContain(`LSQ at step ${at.lsq}`);
    await expect.poll(() => text(page, 'saved-runs'), { timeout: 30_000 }).toContain(`LSQ+CR at step ${at['lsq+cr']}`);
    const summaryBefore = await text(page, 'summary-table');

    await page.reload();
    await ready(page);
    await expect.poll(() => text(page, 'saved-runs-restored'), { timeout: 30_000 }).toContain(`LSQ at step ${at.lsq}`);
    for (const id of RUNS) await expect.poll(() => text(page, `status-${id}`), { timeout: 60_000 }).toMatch(new RegExp(`^Paused · step ${at[id]} / 30`));
    expect(await text(page, 'train')).toBe('Resume');
    expect(await text(page, 'summary-table')).toBe(summaryBefore);
    await page.screenshot({ path: 'test-results/saved-runs-after-reload.png', fullPage: true });

    await trainToEnd(page);
    expect(await stepsCsv(page)).toEqual(reference);
  }, 300_000);

  it('a second tab trains without saving, and says so', async () => {
    const second = await open(context);
    await expect.poll(() => second.getByTestId('saved-runs').getAttribute('data-mode')).toBe('read-only');
    expect(await text(second, 'saved-runs-read-only')).toMatch(/Another tab of this page is training and saving runs/);
    await second.screenshot({ path: 'test-results/saved-runs-second-tab.png' });
    await second.close();
    expect(await page.getByTestId('saved-runs').getAttribute('data-mode')).toBe('saving');
  }, 120_000);

  it('a damaged stored run is named and left out; the others come back; Clear forgets them', async () => {
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.open('qat-playground', 1);
          r.onsuccess = () => {
            const tx = r.result.transaction('runs', 'readwrite');
            tx.objectStore('runs').put({ version: 1, id: 'fp32', config: {}, log: 'cut short' }, 'fp32');
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    await page.reload();
    await ready(page);
    await expect.poll(() => text(page, 'saved-runs-problem'), { timeout: 30_000 }).toMatch(/The saved run "fp32" could not be read: its settings are not valid/);
    await expect.poll(() => text(page, 'saved-runs-restored')).toMatch(/LSQ at step 30, LSQ\+CR at step 30/);
    for (const id of RUNS) await expect.poll(() => text(page, `status-${id}`), { timeout: 60_000 }).toMatch(/^Done · step 30 \/ 30/);
    await page.screenshot({ path: 'test-results/saved-runs-damaged.png', fullPage: true });

    await page.getByTestId('clear-saved-runs').click();
    await expect.poll(() => page.getByTestId('saved-runs-problem').count()).toBe(0);
    await page.reload();
    await ready(page);
    await expect.poll(() => page.getByTestId('saved-runs').getAttribute('data-mode')).toBe('saving');
    expect(await page.getByTestId('saved-runs-restored').count()).toBe(0);
    expect(await step(page, 'lsq')).toBe(0);
    expect(errors).toEqual([]);
  }, 180_000);
});
