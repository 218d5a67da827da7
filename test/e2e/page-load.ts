/**
 * Page load to "Ready" (Train can be pressed: the dataset is in and both Workers answered) in headless Chromium,
 * each time in a fresh browser context (empty cache). Builds of the app are loaded in turn, so a before/after
 * comparison shares one machine and one moment; prints each build's times and their median.
 *
 *   npm run page-load -- [--runs 5] [--dist DIR ...]     (the current source is always built and measured too)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { launchChromium, scriptArg, serveBuilt } from './browser';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const runs = Number(scriptArg('runs', '5'));
  const others = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--dist' ? [a] : []));
  const current = mkdtempSync(join(tmpdir(), 'qat-dist-'));
  process.env.NODE_ENV = 'production';
  await build({ logLevel: 'error', mode: 'production', build: { outDir: current, emptyOutDir: true } });
  const builds = [...others.map((d) => ({ name: d, dir: d })), { name: 'current source', dir: current }];
  const servers = await Promise.all(builds.map((b) => serveBuilt(b.dir)));
  const browser = await launchChromium();
  const times: number[][] = builds.map(() => []);
  try {
    for (let r = 0; r < runs; r++) {
      for (let b = 0; b < builds.length; b++) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
        const page = await context.newPage();
        const t0 = Date.now();
        await page.goto(servers[b].url);
        await page.waitForFunction(() => !(document.querySelector('[data-testid="train"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 120_000 });
        times[b].push(Date.now() - t0);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await Promise.all(servers.map((s) => s.close()));
    rmSync(current, { recursive: true, force: true });
  }
  console.log(`| build | load to Ready, ${runs} loads (ms) | median |\n|---|---|---|`);
  builds.forEach((b, i) => console.log(`| ${b.name} | ${times[i].join(', ')} | ${median(times[i])} ms |`));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
