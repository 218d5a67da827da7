/** `npm run dev` serves modules unbundled; the wasm backend must load there too (it did not once, silently). */
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './browser';

let server: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  server = await createServer({ logLevel: 'error', server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await server.listen();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('the dev server page starts the wasm backend (no wasm fallback line) and trains', async () => {
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('dev server has no port');
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${address.port}/#cr=0`);
  await expect.poll(() => page.getByTestId('backend-lsq').textContent(), { timeout: 120_000 }).toMatch(/Backend: (webgpu|wasm)/);
  const fallbacks = (await page.getByTestId('fallbacks-lsq').count()) > 0 ? await page.getByTestId('fallbacks-lsq').textContent() : '';
  expect(fallbacks).not.toMatch(/wasm:/);
  await page.getByTestId('train').click();
  await expect.poll(async () => Number(await page.getByTestId('step-lsq').textContent()), { timeout: 120_000 }).toBeGreaterThan(3);
});
