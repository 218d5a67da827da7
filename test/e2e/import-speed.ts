/**
 * How long the page takes to take in data a person brings, in headless Chromium against the built app: a
 * full-size CIFAR-10 binary archive (50,000 + 10,000 records, 184 MB unpacked, synthetic pixels) and a drop of
 * many small images, each timed from handing the files to the page until it lists the result.
 *
 *   npm run import-speed -- [--images 5000] [--repeats 2]
 */
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { encodePng } from '../helpers/image-files';
import { buildAndServe, launchChromium } from './browser';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function cifarBatch(records: number, offset: number): Uint8Array {
  const out = new Uint8Array(records * 3073);
  for (let r = 0; r < records; r++) {
    out[r * 3073] = (r + offset) % 10;
    for (let i = 1; i < 3073; i++) out[r * 3073 + i] = (i * 13 + r * 7 + offset) & 255;
  }
  return out;
}


async function main(): Promise<void> {
  const images = Number(arg('images', '5000'));
  const repeats = Number(arg('repeats', '2'));
  const batches = [1, 2, 3, 4, 5].map((i) => ({ name: `cifar-10-batches-bin/data_batch_${i}.bin`, data: cifarBatch(10_000, i) }));
  batches.push({ name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBatch(10_000, 9) });
  const archive = gzipSync(createTar(batches), { level: 1 });
  const png = encodePng(64, 48, 3, (x, y) => [x * 4, y * 5, 100]);
  const files = Array.from({ length: images }, (_, i) => ({ name: `img-${i}.png`, mimeType: 'image/png', buffer: png }));

  const app = await buildAndServe();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(app.url);
    for (let k = 0; k < repeats; k++) {
      const t0 = Date.now();
      await page.getByTestId('dataset-drop-input').setInputFiles([{ name: 'cifar-10-binary.tar.gz', mimeType: 'application/gzip', buffer: archive }]);
      // Locators, not waitForFunction: the page's policy forbids evaluating strings.
      await page.getByTestId('dataset-load').filter({ hasText: 'Unpacking' }).or(page.getByTestId('dataset-load').filter({ hasText: 'Reading' })).waitFor({ timeout: 10_000 }).catch(() => undefined);
      await page.getByTestId('dataset-loaded').filter({ hasText: 'Loaded CIFAR-10' }).waitFor({ timeout: 300_000 });
      process.stdout.write(`CIFAR-10 archive (${(archive.length / 2 ** 20).toFixed(1)} MB gzipped, 184 MB unpacked): ${Date.now() - t0} ms\n`);

      const t1 = Date.now();
      await page.getByTestId('image-drop-input').setInputFiles(files);
      await page.getByTestId('pool-count').filter({ hasText: new RegExp(`^${images.toLocaleString('en-US')} images`) }).waitFor({ timeout: 600_000 });
      const ms = Date.now() - t1;
      process.stdout.write(`${images} PNG images (64×48 RGB) into the pool: ${ms} ms, ${((1000 * images) / ms).toFixed(0)} images/s\n`);
      await page.getByTestId('pool-clear').click();
    }
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`import-speed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
