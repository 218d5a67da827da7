import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSizes } from './build/bundle-sizes';

const PAGE_GZIP_LIMIT = 250_000;

describe('the built app', () => {
  const dist = mkdtempSync(join(tmpdir(), 'qat-size-'));
  let sizes: ReturnType<typeof bundleSizes>;
  beforeAll(async () => {
    // The test runner sets NODE_ENV=test, which would make Vite bundle React's development build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ logLevel: 'error', mode: 'production', build: { outDir: dist, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    sizes = bundleSizes(dist);
  });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  it(`loads at most ${PAGE_GZIP_LIMIT / 1000} KB of gzipped JavaScript on the main thread before the first Worker`, () => {
    expect(sizes.page.files.length).toBeGreaterThan(0);
    expect(sizes.page.gzip).toBeLessThanOrEqual(PAGE_GZIP_LIMIT);
  });

  it('ships the training Worker with its backends, and the page without them', () => {
    const worker = sizes.workers['training.worker'];
    expect(worker).toBeDefined();
    // The webgpu and wasm backends are chunks the Worker loads on demand; none of them is the page's.
    expect(worker.files.length).toBeGreaterThan(2);
    expect(worker.files.filter((f) => sizes.page.files.includes(f))).toEqual([]);
  });

  it('is minified, page and Workers alike: local names of the source are gone', () => {
    const text = (files: string[]) => files.map((f) => readFileSync(join(dist, 'assets', f), 'utf8')).join('\n');
    expect(text(sizes.page.files)).not.toMatch(/\bcontrolState\b/);
    expect(text(sizes.workers['training.worker'].files)).not.toMatch(/\bemaDecayAt\b/);
  });
});
