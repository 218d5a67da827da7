/**
 * End to end: settings changed while both runs train reach both at the same step, mark every chart, and appear in
 * the link and the export. Screenshot in test-results/.
 */
import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { servedApp } from './served-app';

const served = servedApp();
let page: Page;

const step = async (p: Page, run: string) => Number(await p.getByTestId(`step-${run}`).textContent());

describe('changing settings mid-run', () => {
  it('applies λ_max and the learning rate to both runs from the same step, marked on the charts, in the link and the export', async () => {
    page = await served.browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    await page.goto(`${served.url}#model=mlp&steps=2000&eval=500`);
    await expect.poll(() => page.getByTestId('train').isEnabled(), { timeout: 90_000 }).toBe(true);
    await page.getByTestId('train').click();
    await expect.poll(() => step(page, 'lsq+cr'), { timeout: 90_000 }).toBeGreaterThan(5);
    await page.getByTestId('mid-run-lambdaMax').fill('2');
    await page.getByTestId('mid-run-lr').fill('0.01');
    await page.getByTestId('mid-run-apply').click();
    // Both runs report applying it, from one step.
    await expect.poll(() => page.getByTestId('mid-run-log').textContent(), { timeout: 60_000 }).toMatch(/step \d+: λ_max 2, lr 0.01/);
    const at = Number((await page.getByTestId('mid-run-log').textContent())!.match(/step (\d+)/)![1]);
    expect(page.url()).toContain(`changes=${encodeURIComponent(`${at}:lambda=2,lr=0.01`)}`);
    // The runs go on training after the change.
    await expect.poll(() => step(page, 'lsq'), { timeout: 60_000 }).toBeGreaterThan(at + 2);
    // LSQ+CR steps slower: it takes the change when it reaches that step, which it must have before the pause.
    await expect.poll(() => step(page, 'lsq+cr'), { timeout: 120_000 }).toBeGreaterThan(at);
    await expect.poll(() => page.getByTestId('chart-loss').locator('.recharts-reference-line').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('chart-lr').locator('.recharts-reference-line').count()).toBe(1);
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('status-lsq').textContent(), { timeout: 30_000 }).toMatch(/Paused/);
    const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const json = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(json.runs.map((r: { run: string; settingsChanges: unknown }) => [r.run, r.settingsChanges])).toEqual([
      ['LSQ', [{ step: at, change: { lambdaMax: 2, lr: 0.01 } }]],
      ['LSQ+CR', [{ step: at, change: { lambdaMax: 2, lr: 0.01 } }]],
    ]);
    // The learning rate of step `at` in both runs is the new base rate's schedule, below the old one's.
    for (const r of json.runs) {
      const i = r.steps.indexOf(at);
      expect(r.metrics.lr[i]).toBeLessThan(0.01 + 1e-9);
      expect(r.metrics.lr[i - 1]).toBeGreaterThan(0.01);
    }
    expect(json.link).toContain('changes=');
    await page.locator('.charts').screenshot({ path: 'test-results/mid-run-change.png' });
  });
});
