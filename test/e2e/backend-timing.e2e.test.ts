/**
 * Backend `auto` chooses by timing in the page: with SwiftShader's WebGPU standing in for a GPU (a test-only flag),
 * each run's Worker times WebGPU and wasm on its model before the first step, trains on the faster, and the run
 * card shows both figures. A second visit puts the finished run back on the backend chosen from the figures this
 * browser remembers, without timing again, and trains it again after Reset.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { servedApp } from './served-app';

const HASH = 'model=mlp-narrow&bs=8&labeled=200&steps=12&eval=12&hess=off&backend=auto&seed=0';
const served = servedApp();
/** A click before the Workers are up is lost: wait until Train is enabled. */
const ready = (p: Page) => expect.poll(() => p.getByTestId('train').isEnabled(), { timeout: 120_000 }).toBe(true);

describe('auto backend by timing (page)', () => {
  it('times webgpu and wasm on the run, names both figures and the choice, trains on it, and remembers them on the next visit', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    const url = `${served.url}?test-hooks&test-time-software-webgpu#${HASH}`;
    await page.goto(url);
    await ready(page);
    await page.getByTestId('train').click();
    const timing = page.getByTestId('backend-timing-lsq');
    await expect.poll(async () => (await timing.count()) > 0, { timeout: 240_000, interval: 500 }).toBe(true);
    const first = (await timing.textContent()) ?? '';
    expect(first).toMatch(/Chosen by timing mlp-narrow lsq, batch 8/);
    expect(first).toMatch(/webgpu \d+\.\d ms\/step, wasm \d+\.\d ms\/step/);
    expect(first).not.toMatch(/measured earlier/);
    const chosen = /; (webgpu|wasm) is /.exec(first)?.[1];
    expect(await page.getByTestId('backend-lsq').textContent()).toContain(`Backend: ${chosen}`);
    await expect.poll(async () => page.getByTestId('status-lsq').textContent(), { timeout: 240_000, interval: 500 }).toMatch(/^Done/);
    await page.screenshot({ path: 'test-results/backend-timing.png', fullPage: false });

    // The same browser profile, a fresh page: the saved run comes back, on the remembered choice.
    await page.close();
    const again = await context.newPage();
    await again.goto(url);
    const second = again.getByTestId('backend-timing-lsq');
    const seen = async () => ((await second.count()) > 0 ? ((await second.textContent()) ?? '') : `none yet: ${await again.getByTestId('status-lsq').textContent()}`);
    await expect.poll(seen, { timeout: 240_000, interval: 500 }).toMatch(/measured earlier on this machine/);
    expect(await again.getByTestId('backend-lsq').textContent()).toContain(`Backend: ${chosen}`);
    await expect.poll(async () => again.getByTestId('status-lsq').textContent(), { timeout: 60_000, interval: 500 }).toMatch(/^Done · step 12 \/ 12/);
    await again.getByTestId('reset').click();
    await ready(again);
    await again.getByTestId('train').click();
    await expect.poll(async () => again.getByTestId('status-lsq').textContent(), { timeout: 240_000, interval: 500 }).toMatch(/^Done · step 12 \/ 12/);
    expect(await second.textContent()).toMatch(/measured earlier on this machine/);
    await context.close();
  }, 600_000);
});
