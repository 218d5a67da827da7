/**
 * End to end: a lost GPU device and a crashed Worker, provoked through the page's test hooks (`?test-hooks`). A
 * tiny MLP pair on WebGPU (SwiftShader) is stepped to step 5; LSQ's device is destroyed, LSQ+CR's Worker crashed.
 * Each run says what happened and keeps its curves; continuing (on wasm, or in a new Worker) goes on from the last
 * checkpoint to the end, every step logged once. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunId } from '../../src/config/run-config';
import { buildAndServe, launchChromium } from './browser';

const HASH = 'model=mlp&steps=20&eval=0&hess=off&ramp=5&seed=0&backend=webgpu';
const RUNS = ['lsq', 'lsq+cr'] as const;

let app: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const errors: string[] = [];

const text = async (id: string) => (await page.getByTestId(id).textContent()) ?? '';

/** The per-step CSV: each run's steps, and the losses, by run label and step. */
async function stepsCsv(): Promise<{ run: string; step: number; loss: string }[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const [head, ...rows] = readFileSync(await download.path(), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return rows.map((r) => r.split(',')).map((c) => ({ run: c[0], step: Number(c[1]), loss: c[cols.indexOf('loss')] }));
}

beforeAll(async () => {
  mkdirSync('test-results', { recursive: true });
  app = await buildAndServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}?test-hooks#${HASH}`);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 120_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('device loss and a crashed Worker', () => {
  it('a lost device: the run says so, keeps its curves, and continues on wasm from its checkpoint', async () => {
    expect(await text('backend-lsq')).toMatch(/webgpu/);
    for (let i = 1; i <= 5; i++) {
      await expect.poll(() => page.getByTestId('step').isEnabled(), { timeout: 60_000 }).toBe(true);
      await page.getByTestId('step').click();
      for (const id of RUNS) await expect.poll(() => text(`status-${id}`), { timeout: 60_000 }).toMatch(new RegExp(`^Paused · step ${i} /`));
    }
    const before = await stepsCsv();
    for (const id of RUNS) expect(await page.getByTestId(`error-${id}`).count(), `an error on ${id} before the loss`).toBe(0);
    await page.evaluate(() => (window as unknown as { qatTestHooks: { loseDevice(id: RunId): void } }).qatTestHooks.loseDevice('lsq'));
    await expect.poll(() => text('error-lsq'), { timeout: 30_000 }).toMatch(/Stopped:.*the GPU device was lost/);
    expect(await text('status-lsq')).toMatch(/step 5 \//);
    expect(await text('restart-wasm-lsq')).toBe('Continue on wasm (CPU)');
    // The other run, on its own device, is untouched.
    expect(await page.getByTestId('error-lsq+cr').count()).toBe(0);
    expect(await text('status-lsq+cr')).toMatch(/^Paused · step 5 \//);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'test-results/device-lost.png', fullPage: false });

    await page.getByTestId('restart-wasm-lsq').click();
    await expect.poll(() => text('backend-lsq'), { timeout: 60_000 }).toMatch(/wasm/);
    await expect.poll(() => text('status-lsq'), { timeout: 120_000 }).toMatch(/^Done · step 20 \/ 20/);
    expect(await page.getByTestId('error-lsq').count()).toBe(0);
    const after = (await stepsCsv()).filter((r) => r.run === 'LSQ');
    expect(after.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The steps before the loss are the ones measured on the GPU, kept as they were.
    expect(after.slice(0, 5)).toEqual(before.filter((r) => r.run === 'LSQ'));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'test-results/device-lost-continued.png', fullPage: false });
  }, 300_000);

  it('a crashed Worker: the run says so and continues in a new Worker from its checkpoint', async () => {
    await page.evaluate(() => (window as unknown as { qatTestHooks: { crashWorker(id: RunId): void } }).qatTestHooks.crashWorker('lsq+cr'));
    await expect.poll(() => text('error-lsq+cr'), { timeout: 30_000 }).toMatch(/the training worker crashed/);
    expect(await text('status-lsq+cr')).toMatch(/step 5 \//);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'test-results/worker-crashed.png', fullPage: false });
    await page.getByTestId('restart-lsq+cr').click();
    await expect.poll(() => text('status-lsq+cr'), { timeout: 180_000 }).toMatch(/^Done · step 20 \/ 20/);
    const rows = (await stepsCsv()).filter((r) => r.run === 'LSQ+CR');
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(errors).toEqual([]);
  }, 300_000);
});
