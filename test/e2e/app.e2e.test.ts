/**
 * End to end: the built app served on 127.0.0.1, driven in Debian's headless Chromium (WebGPU enabled, on
 * SwiftShader where there is no GPU). Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndServe, launchChromium } from './browser';

let app: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];

beforeAll(async () => {
  mkdirSync('test-results', { recursive: true });
  app = await buildAndServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['127.0.0.1', ''].includes(url.hostname) && !['blob:', 'data:'].includes(url.protocol)) foreignRequests.push(r.url());
  });
  await page.goto(app.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const stepCount = async () => Number(await page.getByTestId('step-count').textContent());

describe('the page', () => {
  it('shows which backend trains and why others were passed over', async () => {
    await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toMatch(/Backend: (webgpu|wasm|webgl|cpu)/);
    const text = (await page.getByTestId('backend').textContent()) ?? '';
    if (!text.includes('webgpu')) expect(await page.getByTestId('backend-fallbacks').textContent()).toMatch(/webgpu:/);
  });

  it('trains in the Worker, pauses, steps, resumes and finishes with a test accuracy', async () => {
    await page.getByTestId('train').click();
    await expect.poll(stepCount, { timeout: 60_000 }).toBeGreaterThan(5);
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/Paused/);
    const paused = await stepCount();
    await page.waitForTimeout(500);
    expect(await stepCount()).toBe(paused);
    await page.getByTestId('step').click();
    await expect.poll(stepCount, { timeout: 30_000 }).toBe(paused + 1);
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 240_000 }).toMatch(/Done · step 200 \/ 200/);
    const acc = (await page.getByTestId('test-accuracy').textContent()) ?? '';
    const pct = Number(/([\d.]+)%/.exec(acc)?.[1]);
    // Chance is 10%; 200 LSQ steps on 1,000 labels reach far above it.
    expect(pct).toBeGreaterThan(60);
    expect(await page.locator('[data-testid="loss-chart"] path.recharts-curve').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test-results/app-trained.png', fullPage: true });
  });

  it('trains LSQ + Consistency Regularization in the Worker and reports the EMA teacher', async () => {
    await page.getByTestId('method-select').selectOption('lsq+cr');
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/Ready · step 0/);
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 300_000 }).toMatch(/Done · step 200 \/ 200/);
    const text = (await page.getByTestId('test-accuracy').textContent()) ?? '';
    const [student, teacher, agreement] = [/: ([\d.]+)%/, /EMA teacher ([\d.]+)%/, /agreement ([\d.]+)%/].map((r) => Number(r.exec(text)?.[1]));
    expect(student).toBeGreaterThan(60);
    expect(teacher).toBeGreaterThan(60);
    expect(agreement).toBeGreaterThan(50);
    await page.screenshot({ path: 'test-results/app-cr-trained.png', fullPage: true });
  });

  it('logged no console errors and sent no request off 127.0.0.1', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
