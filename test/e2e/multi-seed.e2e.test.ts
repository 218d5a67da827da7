/**
 * End to end: "Repeat with N seeds" on the built app in headless Chromium. A tiny MLP run (10 steps, no live
 * sharpness) is repeated over two seeds; the table shows both seeds' pairs, the paired mean gain and the wins, the
 * export carries them, and Reset clears them. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndServe, launchChromium } from './browser';

let app: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

/** Seconds per seed on a CPU: the final test of the MLP on all 10,000 images is most of it. */
const TINY = 'model=mlp&steps=10&eval=0&hess=off&ramp=5&seed=0';

beforeAll(async () => {
  mkdirSync('test-results', { recursive: true });
  app = await buildAndServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  page.on('console', (m) => {
    if (m.type() === 'error' || (m.type() === 'warning' && /WGSL|invalid due to a previous error/i.test(m.text()))) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${app.url}#${TINY}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const text = async (testId: string) => (await page.getByTestId(testId).textContent()) ?? '';

async function downloadJson(testId: string): Promise<Record<string, unknown>> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

describe('repeat with N seeds', () => {
  it('refuses a bad N with a message and keeps the last good one', async () => {
    await expect.poll(() => page.getByTestId('repeat').isEnabled(), { timeout: 90_000 }).toBe(true);
    expect(await text('repeat')).toBe('Repeat with 5 seeds');
    await page.getByTestId('repeat-count').fill('11');
    expect(await text('repeat-count-error')).toMatch(/N must be a whole number from 2 to 10/);
    expect(await text('repeat')).toBe('Repeat with 5 seeds');
    await page.getByTestId('repeat-count').fill('2');
    expect(await page.getByTestId('repeat-count-error').count()).toBe(0);
    expect(await text('repeat')).toBe('Repeat with 2 seeds');
  });

  it('trains LSQ and LSQ+CR for seeds 0 and 1 and shows the pairs, the mean gain and the wins', async () => {
    await page.getByTestId('repeat').click();
    await expect.poll(() => text('charts-seed'), { timeout: 30_000 }).toMatch(/seed [12] of 2/);
    // Settings stay locked through the whole repetition.
    expect(await page.getByTestId('field-steps').isDisabled()).toBe(true);
    await expect.poll(() => text('multi-seed-status'), { timeout: 120_000 }).toBe('Finished all 2 seeds.');
    for (const seed of [0, 1]) {
      const row = await page.getByTestId(`multi-seed-row-${seed}`).locator('td').allTextContents();
      expect(row[0]).toBe(String(seed));
      // Chance is 10%: 10 steps of the MLP already get well above it.
      for (const cell of row.slice(1, 3)) expect(parseFloat(cell)).toBeGreaterThan(20);
      expect(row[3]).toMatch(/^[+-]\d+\.\d\d pts$/);
    }
    expect(await text('multi-seed-mean')).toMatch(/Mean gain.*paired over 2 seeds, 95% interval -?\d+\.\d\d to -?\d+\.\d\d pts.*[+-]\d+\.\d\d pts/);
    expect(await text('multi-seed-wins')).toMatch(/^CR ahead on [0-2] of 2 seeds$/);
    expect(await text('multi-seed-verdict')).toMatch(/mean [+-]\d+\.\d\d pts over 2 seeds, 95% interval .*: (within|beyond) seed noise/);
    // The summary judges the gap by the two seeds, and says whose runs it shows.
    expect(await text('summary-noise')).toMatch(/over 2 seeds/);
    expect(await text('summary-seed')).toMatch(/seed=1, the last of the repetition; the link's seed is 0/);
    expect(await text('charts-seed')).toMatch(/seed=1, the last of 2/);
    // From the buttons down to the repetition's table: the control, the summary's verdict and the seeds.
    const top = (await page.locator('.run-bar').boundingBox())!;
    const table = (await page.getByTestId('multi-seed').boundingBox())!;
    await page.screenshot({ path: 'test-results/app-multi-seed.png', clip: { x: top.x, y: top.y, width: top.width, height: table.y + table.height - top.y } });
  });

  it('exports the seeds, their gain and the setup that produced them', async () => {
    const json = (await downloadJson('export-json')) as {
      runsSeed: number;
      multiSeed: { link: string; seeds: number[]; status: string; pairs: { seed: number }[]; gain: { n: number } };
    };
    expect(json.runsSeed).toBe(1);
    expect(json.multiSeed.status).toBe('finished');
    expect(json.multiSeed.seeds).toEqual([0, 1]);
    expect(json.multiSeed.pairs.map((p) => p.seed)).toEqual([0, 1]);
    expect(json.multiSeed.gain.n).toBe(2);
    expect(json.multiSeed.link).toMatch(/model=mlp.*steps=10.*seed=0/);
  });

  it('Reset forgets the seeds and brings the runs back to the page seed', async () => {
    await page.getByTestId('reset').click();
    await expect.poll(() => page.getByTestId('multi-seed').count()).toBe(0);
    expect(await page.getByTestId('charts-seed').count()).toBe(0);
    await expect.poll(() => page.getByTestId('step-lsq').textContent(), { timeout: 30_000 }).toBe('0');
    await expect.poll(() => page.getByTestId('train').isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('field-steps').isDisabled()).toBe(false);
  });

  it('Pause stops a repetition: the seed in training is dropped and the runs are back on the page seed', async () => {
    await page.getByTestId('field-steps').fill('400');
    await expect.poll(() => page.getByTestId('repeat').isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('repeat').click();
    await expect.poll(() => page.getByTestId('step-lsq+cr').textContent().then(Number), { timeout: 60_000 }).toBeGreaterThan(3);
    expect(await text('charts-seed')).toMatch(/seed 1 of 2 \(seed=0\)/);
    await page.getByTestId('train').click();
    await expect.poll(() => text('multi-seed-status'), { timeout: 30_000 }).toBe('Stopped after 0 of 2 seeds.');
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => page.getByTestId(`status-${run}`).textContent(), { timeout: 30_000 }).toMatch(/^Ready · step 0 \/ 400/);
    // Nothing the Workers sent about the dropped seed reaches the fresh runs.
    await page.waitForTimeout(1500);
    for (const run of ['lsq', 'lsq+cr']) expect(await page.getByTestId(`status-${run}`).textContent()).toMatch(/^Ready · step 0 \/ 400/);
    expect(await page.getByTestId('chart-loss').locator('path.recharts-line-curve').count()).toBe(0);
    expect(await page.getByTestId('field-steps').isDisabled()).toBe(false);
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
