/**
 * Measures how smooth the page stays while both runs train: the gaps between animation frames on the main thread
 * (60 Hz means 16.7 ms), idle and then while training, in headless Chromium against the built app.
 *
 *   npm run frame-gap -- [--hash 'steps=2000&eval=100'] [--seconds 20] [--load N] [--dist DIR] [--trace]
 *
 * `--load N` keeps N busy processes running while training is measured: the machine's cores saturated by other work.
 * `--dist DIR` measures a build made earlier (an older commit's `dist/`) instead of building the current source.
 * `--trace` also records a Chromium trace while training and prints the main thread's CPU time (tracing costs a little).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { measureInBrowser, openReadyPage, scriptArg } from './browser';
import { traceMainThread, type MainThreadWork } from './main-thread-trace';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

// Plain strings: the page must not see helpers a TypeScript transpiler adds to functions.
const START = 'window.__gaps = []; { let last = performance.now(); const f = (t) => { window.__gaps.push(t - last); last = t; requestAnimationFrame(f); }; requestAnimationFrame(f); }';
const TAKE = 'window.__gaps.splice(0)';

async function gaps(page: Page, seconds: number): Promise<{ frames: number; p50: number; p95: number; max: number }> {
  await page.evaluate(TAKE);
  await page.waitForTimeout(seconds * 1000);
  const g = ((await page.evaluate(TAKE)) as number[]).sort((a, b) => a - b);
  return { frames: g.length, p50: percentile(g, 0.5), p95: percentile(g, 0.95), max: g.at(-1) ?? NaN };
}

measureInBrowser(async (app, browser) => {
  const hash = scriptArg('hash', 'steps=2000&eval=100');
  const seconds = Number(scriptArg('seconds', '20'));
  const page = await openReadyPage(browser, app.url, hash);
  await page.evaluate(START);
  const idle = await gaps(page, 5);
  await page.getByTestId('train').click();
  // Leave out loading and the first step; measure steady training.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step-lsq"]')?.textContent) > 5, null, { timeout: 120_000 });
  const load = Number(scriptArg('load', '0'));
  const busy: ChildProcess[] = Array.from({ length: load }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  let training: Awaited<ReturnType<typeof gaps>>;
  let work: MainThreadWork | null = null;
  try {
    if (process.argv.includes('--trace')) ({ result: training, work } = await traceMainThread(browser, page, seconds, () => gaps(page, seconds)));
    else training = await gaps(page, seconds);
  } finally {
    for (const b of busy) b.kill('SIGKILL');
  }
  const status = await Promise.all(['lsq', 'lsq+cr'].map(async (r) => ((await page.getByTestId(`status-${r}`).count()) ? await page.getByTestId(`status-${r}`).textContent() : '')));
  const backend = await page.getByTestId('backend-lsq').textContent();
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`page #${hash}, ${backend}${load ? `, ${load} busy processes beside it` : ''}`);
  console.log(`idle:     ${idle.frames} frames, p50 ${ms(idle.p50)}, p95 ${ms(idle.p95)}, max ${ms(idle.max)}`);
  console.log(`training: ${training.frames} frames, p50 ${ms(training.p50)}, p95 ${ms(training.p95)}, max ${ms(training.max)}`);
  for (const s of status) if (s) console.log(`  ${s}`);
  if (work) console.log(`main thread while training: ${work.cpuMsPerSecond.toFixed(0)} ms of CPU a second; longest task ${ms(work.longestTaskMs)} of CPU; ${work.tasksOverFrame} tasks over 16.7 ms`);
}, scriptArg('dist', '') || undefined);
