import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

/**
 * Debian's Chromium, headless, with WebGPU enabled (SwiftShader on machines without a GPU) and no network
 * chatter. Playwright gives every launch a fresh profile folder.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Builds the app (production mode) into a fresh folder and returns the folder. */
export async function buildApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'qat-dist-'));
  // The test runner sets NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'error', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

/** Builds the app into a fresh folder and serves it with `vite preview` on 127.0.0.1 (a free port). */
export async function buildAndServe(): Promise<{ url: string; close(): Promise<void> }> {
  const outDir = await buildApp();
  const served = await serveBuilt(outDir);
  return {
    url: served.url,
    close: async () => {
      await served.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Serves an already built app folder with `vite preview` (the project's headers) on 127.0.0.1, a free port. */
export async function serveBuilt(outDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: PreviewServer = await preview({ logLevel: 'error', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

/** A page of the served app at `hash`, once Train can be pressed (the dataset and both Workers are ready). */
export async function openReadyPage(browser: Browser, url: string, hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${url}${hash ? `#${hash}` : ''}`);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 120_000 });
  return page;
}

/** Runs a measuring script's body against the built app (or a folder built earlier) in Chromium, closing both whatever happens. */
export function measureInBrowser(body: (app: { url: string }, browser: Browser) => Promise<void>, builtDir?: string): void {
  (async () => {
    const app = builtDir ? await serveBuilt(builtDir) : await buildAndServe();
    const browser = await launchChromium();
    try {
      await body(app, browser);
    } finally {
      await browser.close();
      await app.close();
    }
  })().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

/** `--name value` from a measuring script's command line, or the fallback. */
export function scriptArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
