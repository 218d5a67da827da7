/**
 * End to end, a long run: both runs of a tiny model train 5,000 steps in the page (wasm). Both are paused every
 * SAMPLE_EVERY steps of the slower one; each time the page's JS heap is read after a forced collection (CDP) and
 * each Worker's live tensors through the Worker test hook (`?test-hooks`, src/worker/test-memory.ts). After warm-up
 * the tensors of a paused run must not change at all and the heap must stay within a bound; the figures are printed.
 *
 *   npx vitest run test/e2e/soak.e2e.test.ts        (SOAK_STEPS=N for a shorter or longer run)
 */
import type { CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { WorkerMemory } from '../../src/worker/test-memory';
import { servedApp } from './served-app';

const STEPS = Number(process.env.SOAK_STEPS ?? 5000);
const SAMPLE_EVERY = STEPS / 10;
/** Steps of a run before its memory counts: the first step, evaluation and checkpoint allocate what later ones reuse. */
const WARM_UP = STEPS / 5;
/** Steps of LSQ+CR before the page's heap counts: by then both runs' chart series have reached their cap (2,000 rows). */
const HEAP_WARM_UP = (STEPS * 2) / 5;
/**
 * What the page may gain after that: LSQ+CR's full-resolution metric log (8 float32 columns, its capacity doubling
 * once more, 128 KiB) and a few evaluations. A view that kept every update's chart series (50–200 KiB each, twice a
 * second) passes it within a minute.
 */
const HEAP_GROWTH_MIB = 2;
const HASH = `model=mlp-narrow&bs=8&labeled=200&steps=${STEPS}&eval=${STEPS / 10}&hess=off&backend=wasm&seed=0`;
const RUNS = [
  { id: 'lsq', worker: 'training LSQ' },
  { id: 'lsq+cr', worker: 'training LSQ+CR' },
] as const;

interface Sample {
  heapMiB: number;
  runs: { id: string; step: number; phase: string; memory: WorkerMemory }[];
}

const served = servedApp();

const text = async (page: Page, id: string) => (await page.getByTestId(id).textContent()) ?? '';
const atRest = (status: string) => /^(Paused|Done)/.test(status);

async function heapMiB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / 2 ** 20;
}

/** Every training Worker's memory, by its name (other Workers of the page have no hook). */
async function workerMemory(page: Page): Promise<Map<string, WorkerMemory>> {
  const out = new Map<string, WorkerMemory>();
  for (const w of page.workers()) {
    // A plain string: the Worker must not see helpers a transpiler adds to functions.
    const m = (await w.evaluate('self.qatWorkerTestHooks ? self.qatWorkerTestHooks.memory() : null')) as WorkerMemory | null;
    if (m) out.set(m.name, m);
  }
  return out;
}

async function sample(page: Page, cdp: CDPSession): Promise<Sample> {
  const memory = await workerMemory(page);
  const runs = [];
  for (const r of RUNS) {
    const status = await text(page, `status-${r.id}`);
    const m = memory.get(r.worker);
    if (!m) throw new Error(`no memory report from the Worker "${r.worker}"`);
    runs.push({ id: r.id, step: Number(await text(page, `step-${r.id}`)), phase: status.split(' ')[0], memory: m });
  }
  return { heapMiB: await heapMiB(cdp), runs };
}

function report(samples: Sample[]): string {
  const lines = samples.map((s) => `heap ${s.heapMiB.toFixed(2)} MiB; ${s.runs.map((r) => `${r.id} ${r.phase} step ${r.step}: ${r.memory.numTensors} tensors, ${(r.memory.numBytes / 2 ** 10).toFixed(1)} KiB, ${r.memory.wasmHeapBytes !== null ? `wasm memory ${(r.memory.wasmHeapBytes / 2 ** 20).toFixed(1)} MiB` : `${r.memory.gpuBuffers} GPU buffers`}`).join('; ')}`);
  return [`soak: ${STEPS} steps, #${HASH}`, ...lines].join('\n');
}

describe('a long run in the page', () => {
  it(`${STEPS} steps of both runs: Worker tensors exactly flat, page heap within ${HEAP_GROWTH_MIB} MiB after warm-up`, async () => {
    const page = await served.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${served.url}?test-hooks#${HASH}`);
    await expect.poll(() => page.getByTestId('train').isEnabled(), { timeout: 120_000 }).toBe(true);
    for (const r of RUNS) expect(await text(page, `backend-${r.id}`)).toMatch(/wasm/);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const started = Date.now();
    await page.getByTestId('train').click();
    const samples: Sample[] = [];
    for (let next = SAMPLE_EVERY; next <= STEPS; next += SAMPLE_EVERY) {
      // The slower run (LSQ+CR) sets the pace; the faster one may be done by then.
      await expect.poll(async () => Number(await text(page, 'step-lsq+cr')), { timeout: 300_000, interval: 200 }).toBeGreaterThanOrEqual(next);
      if (next < STEPS) await page.getByTestId('train').click();
      for (const r of RUNS) await expect.poll(async () => atRest(await text(page, `status-${r.id}`)), { timeout: 60_000 }).toBe(true);
      samples.push(await sample(page, cdp));
      if (next < STEPS) await page.getByTestId('train').click();
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`${report(samples)}\n${seconds.toFixed(0)} s in all`);

    expect(errors).toEqual([]);
    for (const r of RUNS) expect(await text(page, `status-${r.id}`)).toMatch(new RegExp(`^Done · step ${STEPS} / ${STEPS}`));
    // Paused between two steps, a run holds exactly the same tensors every time: a leak of one per evaluation, per
    // checkpoint or per metrics batch shows. A run paused on its last step has finished (and freed its training state).
    for (const r of RUNS) {
      const paused = samples.map((s) => s.runs.find((x) => x.id === r.id)!).filter((x) => x.phase === 'Paused' && x.step >= WARM_UP && x.step < STEPS);
      expect(paused.length, `${r.id}: paused samples after warm-up`).toBeGreaterThanOrEqual(r.id === 'lsq' ? 1 : 5);
      expect(new Set(paused.map((x) => x.memory.numTensors)).size, `${r.id}: live tensors ${paused.map((x) => x.memory.numTensors).join(', ')}`).toBe(1);
      expect(new Set(paused.map((x) => x.memory.numBytes)).size).toBe(1);
    }
    // From warm-up to the last sample with LSQ+CR still paused: the page in the same state, before the end of the run
    // brings views (and code) it had not shown yet.
    const after = samples.filter((s) => s.runs.every((r) => r.step >= HEAP_WARM_UP) && s.runs.find((r) => r.id === 'lsq+cr')!.phase === 'Paused');
    expect(after.length).toBeGreaterThanOrEqual(5);
    expect(after.at(-1)!.heapMiB - after[0].heapMiB).toBeLessThan(HEAP_GROWTH_MIB);
    await page.close();
  }, 900_000);
});
