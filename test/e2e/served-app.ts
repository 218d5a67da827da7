import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildAndServe, launchChromium } from './browser';

/**
 * The built app served on 127.0.0.1 and a headless Chromium, for the tests of one e2e file: built before the first,
 * closed after the last. Screenshots go to test-results/.
 */
export function servedApp(timeoutMs = 180_000): { readonly url: string; readonly browser: Browser } {
  let app: { url: string; close(): Promise<void> } | null = null;
  let browser: Browser | null = null;
  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    app = await buildAndServe();
    browser = await launchChromium();
  }, timeoutMs);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  return {
    get url() {
      if (!app) throw new Error('the app is not served yet');
      return app.url;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not started yet');
      return browser;
    },
  };
}
