/**
 * End to end, class by class: during a tiny run the per-class chart and the confusion matrices fill at each test
 * evaluation, a confusion cell opens its test images with every model's prediction, the difference view and the
 * confusion export work, and one cursor runs across the step charts. Screenshots go to test-results/.
 */
import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { servedApp } from './served-app';

const served = servedApp();
let page: Page;
const pageErrors: string[] = [];

const status = (p: Page, run: string) => p.getByTestId(`status-${run}`).textContent();

describe('class by class', () => {
  it('fills the per-class chart and the confusion matrices at every evaluation, and opens a cell’s images', async () => {
    page = await served.browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${served.url}#model=mlp&steps=40&eval=20&ramp=10`);
    await expect.poll(() => page.getByTestId('train').isEnabled(), { timeout: 90_000 }).toBe(true);
    await page.getByTestId('train').click();
    // The first evaluation (step 20) fills the views while the runs still train.
    await expect.poll(() => page.getByTestId('per-class').locator('path.recharts-rectangle').count(), { timeout: 120_000 }).toBeGreaterThan(10);
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => status(page, run), { timeout: 240_000 }).toMatch(/Done · step 40 \/ 40/);
    // LSQ, LSQ+CR and its teacher: three bars per class for the ten classes.
    await expect.poll(() => page.getByTestId('per-class').locator('path.recharts-rectangle').count(), { timeout: 30_000 }).toBe(30);
    expect(await page.getByTestId('per-class-gains').textContent()).toMatch(/LSQ\+CR (gains|loses)/);
    expect(await page.getByTestId('per-class-gains').textContent()).toContain('step 40');
    for (const m of ['confusion-lsq', 'confusion-lsq-cr', 'confusion-lsq-cr-teacher']) {
      expect(await page.getByTestId(m).locator('td').count()).toBe(100);
    }
    // Row sums of the final matrix: the whole test split (10,000 images).
    const cells = (await page.getByTestId('confusion-lsq').locator('td').allTextContents()).map(Number);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(10_000);

    // A diagonal cell of the LSQ matrix: its images, each with LSQ's, LSQ+CR's and the teacher's prediction.
    await page.getByTestId('confusion-lsq-cell-1-1').click();
    await expect.poll(() => page.getByTestId('cell-images').locator('canvas').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('cell-images').textContent(), { timeout: 30_000 }).toContain('LSQ+CR:');
    const text = (await page.getByTestId('cell-images').textContent()) ?? '';
    expect(text).toMatch(/LSQ put \d+ test images? of Trouser into Trouser at step 40/);
    expect(text).toContain('LSQ+CR teacher:');
    await page.getByTestId('class-breakdown').screenshot({ path: 'test-results/classes-confusion.png' });

    // The difference LSQ+CR − LSQ, and an off-diagonal cell of it.
    await page.getByTestId('confusion-mode').selectOption('diff');
    expect(await page.getByTestId('confusion-diff').locator('td').count()).toBe(100);
    await page.getByTestId('confusion-diff-cell-6-0').click();
    await expect.poll(() => page.getByTestId('cell-images').textContent(), { timeout: 30_000 }).toMatch(/LSQ\+CR put \d+ test images? of Shirt into T-shirt/);
    await page.getByTestId('class-breakdown').screenshot({ path: 'test-results/classes-difference.png' });

    // Quantization error per layer for both runs, and the activations entering fc2 with their 2-bit grid (4 levels).
    await expect.poll(() => page.getByTestId('quant-error').locator('tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(3);
    const fc2 = (await page.getByTestId('quant-error-weight-fc2/w').textContent()) ?? '';
    expect(fc2).toMatch(/\d\.\d{3}\d\.\d{4}[\d.]+%[\d.]+% \/ [\d.]+%/);
    await page.getByTestId('activation-layer').selectOption('fc2/in');
    expect(await page.getByTestId('activation-histogram').locator('[data-testid="quant-level"]').count()).toBe(4);
    expect(await page.getByTestId('activation-caption').textContent()).toMatch(/fc2\/in: 2-bit unsigned/);
    await page.getByTestId('looking-inside').screenshot({ path: 'test-results/inside-quant-error.png' });
    const quant = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-quant-error-csv').click()]);
    const qlines = readFileSync(await quant[0].path(), 'utf8').trim().split('\n');
    expect(qlines[0]).toBe('run,step,tensor,kind,bits,rel_rms,cosine,clipped,flipped,oscillating');
    expect(qlines.filter((l) => l.startsWith('LSQ+CR,40,fc2/w,weight,2,')).length).toBe(1);

    // Every evaluation's matrices in the confusion export.
    const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-confusion-csv').click()]);
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('run,step,model,true_class,predicted_class,count,class_accuracy');
    // Two evaluations × (LSQ + LSQ+CR + teacher) × 100 cells.
    expect(lines.length).toBe(1 + 2 * 3 * 100);
    expect(pageErrors).toEqual([]);
  });

  it('runs one cursor across the step charts', async () => {
    const surface = page.getByTestId('chart-accuracy').locator('svg.recharts-surface[role="application"]');
    await surface.scrollIntoViewIfNeeded();
    const box = (await surface.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 5 });
    await expect.poll(() => page.getByTestId('chart-accuracy').locator('.recharts-tooltip-wrapper').textContent(), { timeout: 10_000 }).toMatch(/step \d+/);
    // The loss chart shows its tooltip for the same step without being hovered.
    await expect.poll(() => page.getByTestId('chart-loss').locator('.recharts-tooltip-wrapper').textContent(), { timeout: 10_000 }).toMatch(/step \d+/);
    const hovered = (await page.getByTestId('chart-accuracy').locator('.recharts-tooltip-wrapper').textContent())?.match(/step (\d+)/)?.[1];
    const synced = (await page.getByTestId('chart-loss').locator('.recharts-tooltip-wrapper').textContent())?.match(/step (\d+)/)?.[1];
    expect(synced).toBe(hovered);
    await page.getByTestId('chart-loss').screenshot({ path: 'test-results/charts-shared-cursor.png' });
  });
});
