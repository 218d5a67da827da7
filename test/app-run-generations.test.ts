/**
 * Generations, page side: run-pool drives a real training host through a fake Worker whose messages to the page
 * are held back, so a reset crosses metrics already in flight. None of them may reach the fresh view.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../src/config/playground-config';
import { initBackend } from '../src/engine/backend/select';
import { runCommands, syncRuns } from '../src/app/run-pool';
import { runLog, usePlayground } from '../src/store/playground-store';
import type { StampedEvent, WorkerCommand } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });

/** A Worker in the same thread: commands reach the host as tasks; events wait in `outbox` until the test delivers them. */
class FakeWorker {
  static all: FakeWorker[] = [];
  onmessage: ((e: { data: StampedEvent }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  readonly outbox: StampedEvent[] = [];
  readonly host = new TrainingHost({
    post: (e) => this.outbox.push(e),
    initBackend: () => initBackend('cpu'),
    loadShippedDataset: () => Promise.resolve(tiny),
    close: () => undefined,
  });

  constructor() {
    FakeWorker.all.push(this);
  }

  postMessage(cmd: WorkerCommand): void {
    setTimeout(() => void this.host.handle(cmd), 0);
  }

  terminate(): void {
    void this.host.handle({ type: 'dispose' });
  }

  deliver(): StampedEvent[] {
    const out = this.outbox.splice(0);
    for (const e of out) this.onmessage?.({ data: e });
    return out;
  }
}

async function waitFor(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const config: PlaygroundConfig = { ...DEFAULT_CONFIG, model: 'mlp-narrow', cr: false, fp32: false, steps: 2000, labeled: 40, batchSize: 8, evalEvery: 5, sharpness: 'off', backend: 'cpu' };
const run = () => usePlayground.getState().runs.lsq!;

beforeAll(() => {
  (globalThis as unknown as { Worker: unknown }).Worker = FakeWorker;
  // Older Node has no navigator (run-pool reads the core count from it).
  if (typeof navigator === 'undefined') vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
});

afterAll(async () => {
  for (const w of FakeWorker.all) await w.host.handle({ type: 'dispose' });
  delete (globalThis as unknown as { Worker?: unknown }).Worker;
  vi.unstubAllGlobals();
});

describe('run-pool generations', () => {
  it('a reset mid-stream: no event of the old generation reaches the fresh view', async () => {
    usePlayground.getState().replaceConfig(config, []);
    syncRuns(config);
    const w = FakeWorker.all[0];
    await waitFor('ready', () => w.outbox.some((e) => e.type === 'phase' && e.phase === 'ready'));
    w.deliver();
    runCommands.start();
    await waitFor('the first metrics', () => w.outbox.some((e) => e.type === 'metrics'));
    w.deliver();
    await waitFor('steps on the page', () => run().step > 0 && run().rows.length > 0);

    // More metrics and evaluations are posted but not yet received when the page resets.
    await waitFor('metrics in flight', () => w.outbox.some((e) => e.type === 'metrics') && w.outbox.some((e) => e.type === 'eval'));
    runCommands.reset();
    expect(run().step).toBe(0);
    await waitFor('the reset answered', () => w.outbox.some((e) => e.type === 'phase' && e.phase === 'ready' && e.gen === 2));
    const crossed = w.deliver();
    expect(crossed.filter((e) => e.type === 'metrics' && e.gen === 1).length, 'stale metrics crossed the reset').toBeGreaterThan(0);
    // Past the page's update interval, so anything queued would have been applied.
    await new Promise((r) => setTimeout(r, 700));
    expect(run().step).toBe(0);
    expect(run().rows).toEqual([]);
    expect(run().evals).toEqual([]);
    expect(run().stepSizeRows).toEqual([]);
    expect(run().phase).toBe('ready');
    expect(runLog('lsq')?.size).toBe(0);

    // The fresh run's own events do arrive.
    runCommands.step();
    await waitFor('the step', () => w.outbox.some((e) => e.type === 'phase' && e.phase === 'paused'));
    w.deliver();
    await new Promise((r) => setTimeout(r, 700));
    expect(run().step).toBe(1);
    expect(runLog('lsq')?.size).toBe(1);
  });
});
