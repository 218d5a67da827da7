/**
 * End to end: the built app on a plain static host (no COOP/COEP, no CSP headers), then with the host gone. The
 * service worker makes the page cross-origin isolated, gives the Workers their policy, and serves the app and the
 * dataset from its cache, so a second visit loads and trains offline.
 */
import { mkdirSync, rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, launchChromium } from './browser';
import { serveStatic } from './static-server';

const HASH = 'model=mlp&steps=5&eval=0&backend=wasm';

let dist: string;
let site: { url: string; close(): Promise<void> };
let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

/** Polls through the service worker's one reload (an evaluation during a navigation throws). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ready = () => page.evaluate(() => !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled);

beforeAll(async () => {
  mkdirSync('test-results', { recursive: true });
  dist = await buildApp();
  site = await serveStatic(dist);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await site?.close().catch(() => {});
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe('a plain static host, then none', () => {
  it('is cross-origin isolated on a host that sends no headers, once the service worker serves it', async () => {
    const first = await fetch(site.url);
    expect(first.headers.get('cross-origin-embedder-policy')).toBeNull();
    await page.goto(`${site.url}#${HASH}`);
    await eventually(() => page.evaluate(() => crossOriginIsolated && navigator.serviceWorker.controller !== null), 'isolation');
    await eventually(ready, 'the page to be ready');
    // The Workers' scripts come with the policy and isolation headers the host does not send.
    const headers = await page.evaluate(async () => {
      const src = performance.getEntriesByType('resource').map((e) => e.name).find((n) => /training\.worker-.*\.js$/.test(n));
      const res = await fetch(src!);
      return { csp: res.headers.get('content-security-policy'), coep: res.headers.get('cross-origin-embedder-policy') };
    });
    expect(headers.coep).toBe('require-corp');
    expect(headers.csp).toMatch(/default-src 'self'.*worker-src 'self' blob:/);
  });

  it('loads and trains with the host gone, from the service worker cache', async () => {
    // The precache fills in the background; wait until it holds the dataset.
    await eventually(
      () => page.evaluate(async () => (await caches.keys()).length > 0 && (await caches.match(new URL('data/fashion-mnist/train-images-idx3-ubyte.gz', location.href).href)) !== undefined),
      'the precache',
    );
    await site.close();
    expect(await fetch(site.url).then(() => 'online', () => 'offline')).toBe('offline');
    await page.reload();
    await eventually(ready, 'the page to be ready offline');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.getByTestId('train').click();
    await eventually(async () => /^Done/.test((await page.getByTestId('status-lsq+cr').textContent()) ?? ''), 'both runs to finish');
    expect(await page.getByTestId('status-lsq').textContent()).toMatch(/^Done/);
    await page.screenshot({ path: 'test-results/app-offline.png', fullPage: false });
    expect(errors).toEqual([]);
  });
});
