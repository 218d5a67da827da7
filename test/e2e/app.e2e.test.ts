/**
 * End to end: the built app served on 127.0.0.1, driven in Debian's headless Chromium (WebGPU enabled, on
 * SwiftShader where there is no GPU). A person's path: load, see the backend, train LSQ and LSQ+CR side by side,
 * pause and resume, share a link, open a broken one, export. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndServe, launchChromium } from './browser';

let app: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];

/** The MLP, shortened: both runs finish in seconds on a CPU (the page's default, the tiny CNN, takes minutes). */
const TINY = 'model=mlp&steps=60&eval=20&ramp=20&hevery=20';

/** One page at a time: a page left training would slow the next test's page on a 2-core machine. */
async function openPage(hash = ''): Promise<Page> {
  if (page && !page.isClosed()) await page.close();
  const p = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  p.on('console', (m) => {
    // WGSL compile errors surface only as warnings ("Error while parsing WGSL", "… is invalid due to a previous error").
    if (m.type() === 'error' || (m.type() === 'warning' && /WGSL|invalid due to a previous error/i.test(m.text()))) consoleErrors.push(m.text());
  });
  p.on('pageerror', (e) => consoleErrors.push(e.message));
  p.on('request', (r) => {
    const url = new URL(r.url());
    if (!['127.0.0.1', ''].includes(url.hostname) && !['blob:', 'data:'].includes(url.protocol)) foreignRequests.push(r.url());
  });
  await p.goto(`${app.url}${hash ? `#${hash}` : ''}`);
  return p;
}

beforeAll(async () => {
  mkdirSync('test-results', { recursive: true });
  app = await buildAndServe();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const step = async (p: Page, run: string) => Number(await p.getByTestId(`step-${run}`).textContent());
const status = (p: Page, run: string) => p.getByTestId(`status-${run}`).textContent();
const ready = (p: Page) => expect.poll(() => p.getByTestId('train').isEnabled(), { timeout: 90_000 }).toBe(true);

async function downloadText(p: Page, testId: string): Promise<{ name: string; text: string }> {
  const [download]: [Download, void] = await Promise.all([p.waitForEvent('download'), p.getByTestId(testId).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

describe('the playground', () => {
  it('shows, for each run, which backend trains and why others were passed over', async () => {
    page = await openPage(TINY);
    for (const run of ['lsq', 'lsq+cr']) {
      await expect.poll(() => page.getByTestId(`backend-${run}`).textContent(), { timeout: 90_000 }).toMatch(/Backend: (webgpu|wasm|webgl|cpu)/);
      const text = (await page.getByTestId(`backend-${run}`).textContent()) ?? '';
      if (!text.includes('webgpu')) expect(await page.getByTestId(`fallbacks-${run}`).textContent()).toMatch(/webgpu:/);
    }
    await expect.poll(() => page.getByTestId('chart-loss').textContent()).toMatch(/Press Train/);
  });

  it('trains LSQ and LSQ+CR side by side; both appear on every chart, the summary and the inside views', async () => {
    await ready(page);
    await page.getByTestId('train').click();
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => status(page, run), { timeout: 240_000 }).toMatch(/Done · step 60 \/ 60/);
    const legend = (await page.getByTestId('chart-loss').locator('.recharts-legend-wrapper').textContent()) ?? '';
    expect(legend).toContain('LSQ cross-entropy');
    expect(legend).toContain('LSQ+CR cross-entropy');
    expect(legend).toContain('LSQ+CR consistency');
    // One drawn curve per line: CE of both runs and CR's consistency.
    expect(await page.getByTestId('chart-loss').locator('path.recharts-line-curve').count()).toBe(3);
    const acc = (await page.getByTestId('chart-accuracy').locator('.recharts-legend-wrapper').textContent()) ?? '';
    for (const line of ['LSQ test', 'LSQ train (batch)', 'LSQ+CR test', 'LSQ+CR train (batch)', 'LSQ+CR EMA teacher test']) expect(acc).toContain(line);
    expect(acc).not.toContain('LSQ EMA teacher');
    expect(await page.getByTestId('chart-lambda').locator('path.recharts-line-curve').count()).toBe(1);
    expect(await page.getByTestId('chart-step-sizes').locator('path.recharts-line-curve').count()).toBeGreaterThanOrEqual(2);
    // Live sharpness: one line per run, and what it cost.
    await expect.poll(() => page.getByTestId('chart-hessian').locator('path.recharts-line-curve').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('hessian-cost').textContent()).toMatch(/Share of time spent on it: LSQ \d+%, LSQ\+CR \d+%/);
    for (const run of ['lsq', 'lsq+cr']) {
      const row = (await page.getByTestId(`summary-${run}`).textContent()) ?? '';
      const [best, last] = [...row.matchAll(/([\d.]+)%/g)].map((m) => Number(m[1]));
      // Chance is 10%; 60 steps on 1,000 labels get far above it.
      expect(best).toBeGreaterThan(50);
      expect(last).toBeGreaterThan(50);
    }
    expect(await page.getByTestId('summary-gap').textContent()).toMatch(/up to step 60.*pts/);
    await expect.poll(() => page.getByTestId('prediction-grid').locator('canvas').count(), { timeout: 30_000 }).toBe(20);
    expect(await page.getByTestId('prediction-grid').textContent()).toContain('teacher:');
    // fc2 at 2 bits: 4 levels drawn on its histogram.
    expect(await page.getByTestId('weight-histogram').locator('[data-testid="quant-level"]').count()).toBe(4);
    await page.screenshot({ path: 'test-results/app-trained.png', fullPage: true });
  });

  it('exports metrics as CSV and JSON, a chart as PNG and the student as a model file', async () => {
    const csv = await downloadText(page, 'export-csv');
    expect(csv.name).toMatch(/^mlp-W2A2-seed0-steps\.csv$/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('run,step,loss,ce,consistency,lambda,accuracy,lr,msPerStep');
    expect(lines.length).toBe(1 + 2 * 60);
    const json = JSON.parse((await downloadText(page, 'export-json')).text);
    expect(json.runs.map((r: { run: string }) => r.run)).toEqual(['LSQ', 'LSQ+CR']);
    expect(json.runs[1].steps.length).toBe(60);
    expect(json.link).toContain('steps=60');
    const model = JSON.parse((await downloadText(page, 'export-model-lsq+cr')).text);
    expect(model.format).toBe('qat-playground-model');
    expect(model.steps).toBe(60);
    expect(model.tensors.some((t: { name: string }) => t.name === 'fc2/w.step')).toBe(true);
    // The same student as ONNX, converted in the Worker: a QDQ graph (ModelProto starts with ir_version, field 1).
    const [onnx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-onnx-lsq+cr').click()]);
    expect(onnx.suggestedFilename()).toMatch(/-lsq-cr-step60\.onnx$/);
    const graph = readFileSync(await onnx.path());
    expect(graph[0]).toBe(0x08);
    expect(graph.includes(Buffer.from('QuantizeLinear'))).toBe(true);
    // The run as a PyTorch project, zipped in the Worker, with its trained weights.
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-torch-lsq+cr').click()]);
    expect(zip.suggestedFilename()).toMatch(/-lsq-cr-step60-pytorch\.zip$/);
    const archive = readFileSync(await zip.path());
    expect(archive.subarray(0, 2).toString()).toBe('PK');
    for (const f of ['train.py', 'model.py', 'config.json', 'trained.safetensors']) expect(archive.includes(Buffer.from(f))).toBe(true);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('png-loss').click()]);
    const bytes = readFileSync(await png.path());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  });

  it('pauses and resumes both runs (button and space bar), and steps them one at a time', async () => {
    page = await openPage('model=mlp&steps=2000&eval=500');
    await ready(page);
    await page.keyboard.press('Space');
    await expect.poll(() => step(page, 'lsq+cr'), { timeout: 90_000 }).toBeGreaterThan(5);
    await page.getByTestId('train').click();
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => status(page, run), { timeout: 30_000 }).toMatch(/Paused/);
    const paused = [await step(page, 'lsq'), await step(page, 'lsq+cr')];
    await page.waitForTimeout(700);
    expect([await step(page, 'lsq'), await step(page, 'lsq+cr')]).toEqual(paused);
    expect(await page.getByTestId('field-steps').isDisabled()).toBe(true);
    await page.getByTestId('step').click();
    await expect.poll(() => step(page, 'lsq'), { timeout: 30_000 }).toBe(paused[0] + 1);
    await expect.poll(() => step(page, 'lsq+cr'), { timeout: 30_000 }).toBe(paused[1] + 1);
    await page.locator('h1').click();
    await page.keyboard.press('Space');
    await expect.poll(() => step(page, 'lsq'), { timeout: 30_000 }).toBeGreaterThan(paused[0] + 3);
    await page.keyboard.press('Space');
    await expect.poll(() => status(page, 'lsq'), { timeout: 30_000 }).toMatch(/Paused/);
    await page.getByTestId('reset').click();
    await expect.poll(() => step(page, 'lsq'), { timeout: 30_000 }).toBe(0);
    expect(await page.getByTestId('field-steps').isDisabled()).toBe(false);
  });

  it('a shared link reopens the same setup, seed included', async () => {
    page = await openPage();
    await page.getByTestId('field-wbits').selectOption('3');
    await page.getByTestId('field-seed').fill('7');
    await page.getByTestId('field-lambdaMax').fill('0.8');
    await page.getByTestId('field-model').selectOption('cnn-small');
    await expect.poll(() => page.url()).toContain('seed=7');
    const link = page.url();
    expect(link).toMatch(/w=3.*lmax=0.8.*seed=7/);
    const other = await browser.newPage();
    await other.goto(link);
    expect(await other.getByTestId('field-wbits').inputValue()).toBe('3');
    expect(await other.getByTestId('field-seed').inputValue()).toBe('7');
    expect(await other.getByTestId('field-lambdaMax').inputValue()).toBe('0.8');
    expect(await other.getByTestId('field-model').inputValue()).toBe('cnn-small');
    expect(await other.getByTestId('preset').inputValue()).toBe('custom');
    expect(await other.getByTestId('config-notes').count()).toBe(0);
    await other.close();
  });

  it('a broken link opens with defaults for what is wrong, keeps what is right, and says so', async () => {
    page = await openPage('w=9&lr=abc&bogus=1&seed=5&steps=-3&model=mlp');
    const notes = (await page.getByTestId('config-notes').textContent()) ?? '';
    expect(notes).toMatch(/w=9: must be one of/);
    expect(notes).toMatch(/lr=abc: must be a number/);
    expect(notes).toMatch(/"bogus" is not a setting/);
    expect(notes).toMatch(/steps=-3: must be between/);
    expect(await page.getByTestId('field-wbits').inputValue()).toBe('2');
    expect(await page.getByTestId('field-seed').inputValue()).toBe('5');
    await expect.poll(() => page.getByTestId('backend-lsq').textContent(), { timeout: 90_000 }).toMatch(/Backend:/);
    // The page rewrites the link to what it actually uses.
    expect(page.url()).toMatch(/w=2.*seed=5/);
    await page.screenshot({ path: 'test-results/app-broken-link.png' });
  });

  it('an invalid entry in a field says why and changes nothing', async () => {
    await page.getByTestId('field-lr').fill('-1');
    expect(await page.getByRole('alert').first().textContent()).toMatch(/Learning rate must be between/);
    expect(page.url()).toContain('lr=0.05');
  });

  it('a diverging run stops with a message, keeps its curves and offers a restart', async () => {
    // Without quantization's clipping, lr 10 overflows within a few steps.
    page = await openPage('model=mlp&lr=10&steps=300&cr=0&eval=0&w=32&a=32&fl=32');
    await ready(page);
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('error-lsq').count(), { timeout: 120_000 }).toBe(1);
    expect(await page.getByTestId('error-lsq').textContent()).toMatch(/NaN or infinite/);
    expect(await page.getByTestId('status-lsq').textContent()).toMatch(/Failed/);
    expect(await page.getByTestId('chart-loss').locator('path.recharts-line-curve').count()).toBe(1);
    expect(await page.getByTestId('restart-lsq').isVisible()).toBe(true);
    await page.screenshot({ path: 'test-results/app-diverged.png' });
  });

  it('on WebGPU (SwiftShader here) both runs say the shaders are compiling, then train on the custom kernels', async () => {
    page = await openPage('model=mlp&backend=webgpu&steps=3&eval=0&hess=off');
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => page.getByTestId(`backend-${run}`).textContent(), { timeout: 90_000 }).toMatch(/Backend: webgpu on .*\(custom WGSL kernels\)/);
    await ready(page);
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('chart-loss').textContent(), { timeout: 60_000 }).toMatch(/compiling the WebGPU shaders/);
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => status(page, run), { timeout: 240_000 }).toMatch(/Done · step 3 \/ 3/);
    expect(await page.getByTestId('summary-lsq').textContent()).toContain('webgpu');
  }, 300_000);

  it('steps the small CNN on WebGPU, where its filter gradient runs on the custom GEMM kernel', async () => {
    // Stepping by hand: a finished run would test all 10,000 images, which takes minutes on SwiftShader.
    page = await openPage('backend=webgpu&model=cnn-small&bs=8&steps=50&eval=0&hess=off&lr=0.003');
    await ready(page);
    for (const n of [1, 2]) {
      await page.getByTestId('step').click();
      for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => step(page, run), { timeout: 180_000 }).toBe(n);
      await expect.poll(() => page.getByTestId('step').isEnabled(), { timeout: 60_000 }).toBe(true);
    }
    await expect.poll(() => page.getByTestId('chart-loss').locator('path.recharts-line-curve').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  }, 400_000);

  it('computes the top-50 Hessian spectrum of FP32, LSQ and LSQ+CR on demand', async () => {
    page = await openPage('model=mlp&steps=20&eval=0&hevery=1000&fp32=1&hsamples=32');
    await ready(page);
    await page.getByTestId('train').click();
    for (const run of ['fp32', 'lsq', 'lsq+cr']) await expect.poll(() => status(page, run), { timeout: 240_000 }).toMatch(/Done/);
    await page.getByTestId('spectrum-button').click();
    await expect.poll(() => page.getByTestId('spectrum-table').locator('tbody tr').count(), { timeout: 400_000 }).toBe(3);
    for (const run of ['fp32', 'lsq', 'lsq+cr']) {
      const cells = (await page.getByTestId(`spectrum-${run}`).locator('td').allTextContents()).map((t) => parseFloat(t));
      // Step, max, mean, variance: the largest eigenvalue is at least the mean of the top 50, which is positive.
      expect(cells[1]).toBe(20);
      expect(cells[2]).toBeGreaterThanOrEqual(cells[3]);
      expect(cells[3]).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('spectrum').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    await page.getByTestId('spectrum').screenshot({ path: 'test-results/app-spectrum.png' });
    // Per-layer top eigenvalues: one row per layer of the MLP, each run's value ± its residual bound.
    await page.getByTestId('layer-eigen-button').click();
    // The table fills run by run: layer, parameters, FP32, LSQ, LSQ+CR, the comparison once all three have answered.
    await expect.poll(() => page.getByTestId('layer-eigen-table').locator('thead th').count(), { timeout: 400_000 }).toBe(6);
    expect(await page.getByTestId('layer-eigen-table').locator('tbody tr').count()).toBe(3);
    for (const layer of ['fc1', 'fc2', 'fc3']) {
      const cells = await page.getByTestId(`layer-eigen-${layer}`).locator('td').allTextContents();
      expect(cells).toHaveLength(6);
      for (const c of cells.slice(2, 5)) expect(c).toMatch(/^-?\d[\d.e+-]* ± \d[\d.e+-]*$/);
      expect(cells[5]).toMatch(/^(flatter with CR|sharper with CR|within the bounds)$/);
    }
    await page.getByTestId('layer-eigen').screenshot({ path: 'test-results/app-layer-eigen.png' });
  }, 600_000);

  it('presentation mode enlarges the page', async () => {
    page = await openPage(TINY);
    await ready(page);
    await page.getByTestId('train').click();
    for (const run of ['lsq', 'lsq+cr']) await expect.poll(() => status(page, run), { timeout: 240_000 }).toMatch(/Done/);
    const before = await page.locator('h1').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    await page.getByTestId('presentation').click();
    const after = await page.locator('h1').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    expect(after).toBeGreaterThan(before * 1.2);
    await page.getByTestId('explain-cr').locator('summary').click();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: 'test-results/app-presentation.png' });
  });

  it('logged no console errors and sent no request off 127.0.0.1', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
