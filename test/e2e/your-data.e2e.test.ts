/**
 * End to end, bring your own data: images of every kind (and broken files) through the file input and a drop,
 * training with them in the unlabeled pool, thousands of files at once, datasets from IDX files and a CIFAR
 * archive, bad dataset files and URLs, and the page's Content-Security-Policy. The built app in headless Chromium.
 */
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBmp, encodePng, tinyGif, uniformPng } from '../helpers/image-files';
import { buildAndServe, launchChromium } from './browser';

let app: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];
/** The policy each Worker script was served with: a <meta> policy does not bind Workers, their own response does. */
const workerPolicies = new Map<string, string>();

/** A short quick demo: both runs finish in seconds. */
const TINY = 'model=mlp&steps=40&eval=20&ramp=20&hess=off';

type FileSpec = { name: string; mimeType: string; buffer: Buffer };

beforeAll(async () => {
  app = await buildAndServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['127.0.0.1', ''].includes(url.hostname) && !['blob:', 'data:'].includes(url.protocol)) foreignRequests.push(r.url());
  });
  page.on('response', (r) => {
    const name = /\/(\w+)\.worker-[^/]*\.js$/.exec(new URL(r.url()).pathname)?.[1];
    if (name) workerPolicies.set(name, r.headers()['content-security-policy'] ?? '');
  });
  await page.goto(`${app.url}#${TINY}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const count = async () => Number(((await page.getByTestId('pool-count').textContent()) ?? '').replace(/[^\d]/g, ''));

/** JPEG and WebP come from the browser's own encoder (Node has none). */
async function browserEncoded(type: 'image/jpeg' | 'image/webp', w: number, h: number): Promise<Buffer> {
  const b64 = await page.evaluate(`(async () => {
    const c = new OffscreenCanvas(${w}, ${h});
    const g = c.getContext('2d');
    g.fillStyle = '#202020'; g.fillRect(0, 0, ${w}, ${h});
    g.fillStyle = '#e0e0e0'; g.fillRect(${w / 4}, ${h / 4}, ${w / 2}, ${h / 2});
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: '${type}', quality: 0.9 })).arrayBuffer());
    let s = ''; for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  })()`);
  return Buffer.from(b64 as string, 'base64');
}

function syntheticIdx(n: number, seed: number): { images: Buffer; labels: Buffer } {
  const header = (dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b[2] = 0x08;
    b[3] = dims.length;
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  const pixels = Buffer.alloc(n * 784);
  const labels = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const c = (i * 7 + seed) % 10;
    labels[i] = c;
    // Class c lights row band c: easy to learn, so a short run trains.
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) pixels[i * 784 + y * 28 + x] = Math.floor(y / 2.8) === c ? 220 : (x * 3 + i) % 40;
  }
  return { images: Buffer.concat([header([n, 28, 28]), pixels]), labels: Buffer.concat([header([n]), labels]) };
}

function cifarBatch(records: number, offset: number): Uint8Array {
  const out = new Uint8Array(records * 3073);
  for (let r = 0; r < records; r++) {
    out[r * 3073] = (r + offset) % 10;
    for (let i = 1; i < 3073; i++) out[r * 3073 + i] = (i * 13 + r * 7 + offset) % 256;
  }
  return out;
}

describe('bring your own data', () => {
  it('says images stay in the browser, and the page carries a Content-Security-Policy that keeps it from calling elsewhere', async () => {
    expect(await page.getByTestId('privacy').textContent()).toMatch(/never leave this browser/);
    const csp = await page.evaluate(`document.querySelector('meta[http-equiv="Content-Security-Policy"]').content`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'self'");
    // A request to another origin is blocked by the policy, not just unanswered.
    const blocked = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
      fetch('http://127.0.0.2:9/x').catch(() => undefined);
    })`);
    expect(blocked).toBe('connect-src');
    // Chromium logs the violation as a console error; it is this test's own doing.
    const own = consoleErrors.filter((e) => e.includes('127.0.0.2'));
    expect(own.length).toBeGreaterThan(0);
    for (const e of own) consoleErrors.splice(consoleErrors.indexOf(e), 1);
  });

  it('accepts a mixed set of images through the file input and refuses the bad files, each with a reason', async () => {
    const good = encodePng(40, 30, 1, (x, y) => [(x * 6 + y) % 256]);
    const files: FileSpec[] = [
      { name: 'grey-wide.png', mimeType: 'image/png', buffer: good },
      { name: 'rgba-tall.png', mimeType: 'image/png', buffer: encodePng(20, 50, 4, (x, y) => [x * 12, y * 5, 128, x < 10 ? 255 : 0]) },
      { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await browserEncoded('image/jpeg', 64, 48) },
      { name: 'picture.webp', mimeType: 'image/webp', buffer: await browserEncoded('image/webp', 30, 30) },
      { name: 'drawing.bmp', mimeType: 'image/bmp', buffer: encodeBmp(16, 16, (x, y) => [x * 16, y * 16, 0]) },
      { name: 'tiny.gif', mimeType: 'image/gif', buffer: tinyGif() },
      { name: 'truncated.png', mimeType: 'image/png', buffer: good.subarray(0, Math.floor(good.length * 0.6)) },
      { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('These are my notes, not a picture.\n') },
      { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
      { name: 'huge.png', mimeType: 'image/png', buffer: uniformPng(10_000, 10_000, 30) },
    ];
    await page.getByTestId('image-drop-input').setInputFiles(files);
    await expect.poll(count, { timeout: 60_000 }).toBe(6);
    await expect.poll(() => page.getByTestId('pool-refused').locator('li').count(), { timeout: 60_000 }).toBe(4);
    const refused = (await page.getByTestId('pool-refused').textContent()) ?? '';
    expect(refused).toMatch(/truncated\.png: the PNG data is corrupt or truncated/);
    expect(refused).toMatch(/notes\.png: not an image: this looks like text \("These are my notes/);
    expect(refused).toMatch(/empty\.png: empty file \(0 bytes\)/);
    expect(refused).toMatch(/huge\.png: 10000×10000 is 100 megapixels/);
    // The Workers that decode and hold the images are bound by the same policy, through their own response.
    expect([...workerPolicies.keys()].sort()).toEqual(['import', 'training']);
    for (const policy of workerPolicies.values()) expect(policy).toMatch(/connect-src 'self';/);
    // Thumbnails at the model's input size: 28×28 grey for Fashion-MNIST.
    const thumbs = page.getByTestId('pool-grid').locator('canvas');
    expect(await thumbs.count()).toBe(6);
    expect(await thumbs.first().evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([28, 28]);
  });

  it('takes a drop too, and what was already accepted stays', async () => {
    const png = encodePng(12, 12, 3, (x, y) => [x * 20, y * 20, 90]);
    await page.evaluate(
      `(() => {
        const bytes = Uint8Array.from(atob('${png.toString('base64')}'), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        dt.items.add(new File(['PK\\u0003\\u0004zip'], 'archive.jpg', { type: 'image/jpeg' }));
        document.querySelector('[data-testid="image-drop"]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      })()`,
    );
    await expect.poll(count, { timeout: 30_000 }).toBe(7);
    await expect.poll(() => page.getByTestId('pool-refused').textContent()).toMatch(/archive\.jpg: not an image: this looks like a ZIP archive/);
  });

  it('trains with the images in the LSQ+CR pool, shows each run’s guesses under them, and updates the pool on remove and clear', async () => {
    await expect.poll(() => page.getByTestId('train').isEnabled(), { timeout: 90_000 }).toBe(true);
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('pool-size-lsq+cr').textContent(), { timeout: 90_000 }).toMatch(/\+ 7 of yours/);
    expect(await page.getByTestId('pool-size-lsq').textContent()).toMatch(/does not use unlabeled images/);
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => page.getByTestId(`status-${run}`).textContent(), { timeout: 240_000 }).toMatch(/Done · step 40 \/ 40/);
    await expect.poll(() => page.getByTestId('pool-grid').textContent(), { timeout: 30_000 }).toMatch(/teacher: .+ \d+%/);
    expect(await page.getByTestId('pool-grid').textContent()).toMatch(/LSQ: .+ \d+%/);
    await page.getByTestId('pool-remove').first().click();
    expect(await count()).toBe(6);
    await expect.poll(() => page.getByTestId('pool-size-lsq+cr').textContent(), { timeout: 10_000 }).toMatch(/\+ 6 of yours/);
    await page.getByTestId('your-data').screenshot({ path: 'test-results/app-your-images.png' });
    await page.getByTestId('pool-clear').click();
    expect(await count()).toBe(0);
    await expect.poll(() => page.getByTestId('pool-size-lsq+cr').textContent(), { timeout: 10_000 }).toMatch(/\+ 0 of yours/);
  });

  it('decodes 5,000 files at once in batches, with progress, and the page keeps drawing frames', async () => {
    const png = encodePng(8, 8, 1, (x, y) => [(x + y) * 16]);
    const files = Array.from({ length: 5000 }, (_, i) => ({ name: `many-${i}.png`, mimeType: 'image/png', buffer: png }));
    // Frames drawn while decoding: a frozen page draws none.
    await page.evaluate(`window.__frames = 0; (function tick() { window.__frames++; requestAnimationFrame(tick); })()`);
    await page.getByTestId('image-drop-input').setInputFiles(files);
    await expect.poll(() => page.getByTestId('pool-progress').textContent(), { timeout: 30_000 }).toMatch(/Adding [\d,]+ of 5,000/);
    const partial = await count();
    await expect.poll(count, { timeout: 180_000, interval: 1000 }).toBe(5000);
    expect(partial).toBeLessThan(5000);
    expect(await page.evaluate('window.__frames')).toBeGreaterThan(10);
    expect(await page.getByTestId('pool-pager').textContent()).toMatch(/Page 1 of 105/);
    await page.getByTestId('pool-clear').click();
    expect(await count()).toBe(0);
  });

  it('loads an MNIST-format dataset from gzipped IDX files, lists it, and trains on it; a bad file is refused with its reason', async () => {
    const train = syntheticIdx(300, 0);
    const test = syntheticIdx(60, 3);
    await page.getByTestId('dataset-name').fill('digits-bands');
    await page.getByTestId('dataset-drop-input').setInputFiles([
      { name: 'train-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: gzipSync(train.images) },
      { name: 'train-labels-idx1-ubyte.gz', mimeType: 'application/gzip', buffer: gzipSync(train.labels) },
      { name: 't10k-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: test.images },
      { name: 't10k-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: test.labels },
    ]);
    await expect.poll(() => page.getByTestId('loaded-datasets').textContent(), { timeout: 60_000 }).toMatch(/digits-bands: 28×28 grey, 10 classes, 300 train \+ 60 test images/);
    const options = await page.getByTestId('field-dataset').locator('option').allTextContents();
    expect(options.some((o) => o.startsWith('digits-bands (loaded'))).toBe(true);

    // A file with a bad header: refused with the reason; the loaded dataset stays.
    const bad = Buffer.from(train.images);
    bad[2] = 0x42;
    await page.getByTestId('dataset-drop-input').setInputFiles([{ name: 'broken-idx3-ubyte', mimeType: 'application/octet-stream', buffer: bad }]);
    await expect.poll(() => page.getByTestId('dataset-load').textContent(), { timeout: 30_000 }).toMatch(/broken-idx3-ubyte: refused — .*type code 0x42/);
    expect(await page.getByTestId('loaded-datasets').textContent()).toContain('digits-bands');

    await page.getByTestId('reset').click();
    await page.getByTestId('use-dataset-digits-bands').click();
    expect(await page.getByTestId('field-dataset').inputValue()).toBe('digits-bands');
    expect(page.url()).toContain('data=digits-bands');
    await expect.poll(() => page.getByTestId('train').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('train').click();
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => page.getByTestId(`status-${run}`).textContent(), { timeout: 240_000 }).toMatch(/Done · step 40 \/ 40/);
    const row = (await page.getByTestId('summary-lsq').textContent()) ?? '';
    expect(row).toMatch(/\d+(\.\d+)?%/);
  });

  it('unpacks a CIFAR-10 .tar.gz archive in the browser, resizes the pool to 32×32 RGB, and refuses a batch of the wrong length', async () => {
    const tar = createTar([
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBatch(30, 0) },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBatch(10, 5) },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n') },
    ]);
    await page.getByTestId('dataset-name').fill('');
    await page.getByTestId('dataset-drop-input').setInputFiles([{ name: 'cifar-10-binary.tar.gz', mimeType: 'application/gzip', buffer: gzipSync(tar) }]);
    await expect.poll(() => page.getByTestId('loaded-datasets').textContent(), { timeout: 60_000 }).toMatch(/CIFAR-10: 32×32 RGB, 10 classes, 30 train \+ 10 test images/);
    expect(await page.getByTestId('dataset-load').textContent()).toMatch(/data_batch_2/);

    await page.getByTestId('image-drop-input').setInputFiles([{ name: 'colour.png', mimeType: 'image/png', buffer: encodePng(10, 10, 3, (x) => [200, x * 20, 40]) }]);
    await expect.poll(count, { timeout: 30_000 }).toBe(1);
    await page.getByTestId('reset').click();
    await page.getByTestId('use-dataset-cifar10').click();
    await expect
      .poll(() => page.getByTestId('pool-grid').locator('canvas').first().evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]), { timeout: 30_000 })
      .toEqual([32, 32]);

    await page.getByTestId('dataset-drop-input').setInputFiles([{ name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(cifarBatch(3, 0).subarray(0, 3 * 3073 - 5)) }]);
    await expect.poll(() => page.getByTestId('dataset-load').textContent(), { timeout: 30_000 }).toMatch(/data_batch_1\.bin: refused — .*not a whole number of 3073-byte CIFAR-10 records/);
    expect(await page.getByTestId('loaded-datasets').textContent()).toContain('CIFAR-10');
  });

  it('refuses a dataset URL on another site (the page talks only to its own), and names what came instead of a file', async () => {
    await page.getByTestId('dataset-url').fill('https://example.com/train-images-idx3-ubyte.gz');
    await page.getByTestId('dataset-url').press('Enter');
    await expect.poll(() => page.getByTestId('dataset-error').textContent(), { timeout: 30_000 }).toMatch(/only .*this site|own site|Content-Security-Policy/i);
    await page.getByTestId('dataset-url').fill(`${app.url}data/no-such-file.gz`);
    await page.getByTestId('dataset-url').press('Enter');
    // The preview server answers unknown paths with the page itself, as many hosts do.
    await expect.poll(() => page.getByTestId('dataset-error').textContent(), { timeout: 30_000 }).toMatch(/no-such-file\.gz: .*HTML/);
  });

  it('raised no console errors and sent no request off 127.0.0.1', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
