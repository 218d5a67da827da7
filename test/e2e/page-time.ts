/**
 * How long the page takes to train a preset to the end: the built app in headless Chromium, Train pressed, until
 * every run says Done. Prints each run's wall time, steps/s, backend and final test accuracy.
 *
 *   npm run page-time -- [--hash 'model=mlp&steps=300'] [--timeout 900] [--runs lsq,lsq+cr] [--dist DIR]
 *
 * `--dist DIR` measures a build made earlier (another version, for a before/after) instead of the current source.
 */
import { measureInBrowser, openReadyPage, scriptArg } from './browser';


measureInBrowser(async (app, browser) => {
  const hash = scriptArg('hash', '');
  const timeout = Number(scriptArg('timeout', '900')) * 1000;
  const RUNS = scriptArg('runs', 'lsq,lsq+cr').split(',');
  const page = await openReadyPage(browser, app.url, hash);
  const t0 = Date.now();
  await page.getByTestId('train').click();
  const done: Record<string, number> = {};
  while (Object.keys(done).length < RUNS.length) {
    if (Date.now() - t0 > timeout) throw new Error(`not done after ${timeout / 1000} s`);
    for (const r of RUNS) {
      if (done[r] !== undefined) continue;
      const text = (await page.getByTestId(`status-${r}`).textContent()) ?? '';
      if (/^Done/.test(text)) done[r] = Date.now() - t0;
      if (/Failed/i.test(text)) throw new Error(`${r}: ${text}`);
    }
    await page.waitForTimeout(250);
  }
  const backend = await page.getByTestId('backend-lsq').textContent();
  console.log(`page #${hash || '(default preset)'}, ${backend}`);
  for (const r of RUNS) {
    const row = (await page.getByTestId(`summary-${r}`).textContent()) ?? '';
    console.log(`${r}: done after ${(done[r] / 1000).toFixed(1)} s; summary row: ${row}`);
  }
  console.log(`both runs: ${(Math.max(...Object.values(done)) / 1000).toFixed(1)} s from pressing Train`);
}, scriptArg('dist', '') || undefined);
