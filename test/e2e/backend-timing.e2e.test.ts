/**
 * Backend `auto` chooses by timing in the page: with SwiftShader's WebGPU standing in for a GPU (a test-only flag),
 * each run's Worker times WebGPU and wasm on its model before the first step, trains on the faster, and the run
 * card shows both figures. (Taking remembered figures instead of timing again is tested on the host, in Node:
 * test/worker-backend-by-timing.test.ts.)
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { servedApp } from './served-app';

const HASH = 'model=mlp-narrow&bs=8&labeled=200&steps=12&eval=12&hess=off&backend=auto&seed=0';
const served = servedApp();
/** A click before the Workers are up is lost: wait until Train is enabled. */
const ready = (p: Page) => expect.poll(() => p.getByTestId('train').isEnabled(), { timeout: 120_000 }).toBe(true);

describe('auto backend by timing (page)', () => {
  it('times webgpu and wasm on the run, names both figures and the choice, and trains on it', async () => {
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

    await context.close();
  }, 600_000);
});
