/**
 * The built app's JavaScript by thread, raw and gzipped: the page's main thread, then each Worker.
 *
 *   npm run bundle-size -- [--dist DIR ...]     (default: builds the app into a fresh folder first)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { bundleSizes, type BundleSize } from './bundle-sizes';

const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
const row = (what: string, s: BundleSize) => `| ${what} | ${s.files.length} | ${kb(s.raw)} | ${kb(s.gzip)} |`;

async function main() {
  const dists = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--dist' ? [a] : []));
  let built: string | null = null;
  if (dists.length === 0) {
    built = mkdtempSync(join(tmpdir(), 'qat-dist-'));
    await build({ logLevel: 'error', mode: 'production', build: { outDir: built, emptyOutDir: true } });
    dists.push(built);
  }
  try {
    for (const dist of dists) {
      const { page, workers } = bundleSizes(dist);
      console.log(`\n${built ? 'fresh build' : dist}\n\n| JavaScript | files | raw | gzip |\n|---|---|---|---|`);
      console.log(row('page (main thread, before the first Worker)', page));
      for (const [name, s] of Object.entries(workers)) console.log(row(`${name} (with its on-demand chunks)`, s));
    }
  } finally {
    if (built) rmSync(built, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
