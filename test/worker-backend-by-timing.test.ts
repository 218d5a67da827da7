/**
 * `auto` chooses by timing: with two fast backends (here SwiftShader's WebGPU standing in for a GPU, and wasm) the
 * host times the run's model on both before its first step, trains on the faster, posts both figures, and takes
 * the figures it remembers for the same workload and machine instead of timing again.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import { chooseByTiming } from '../src/engine/backend/timed-choice';
import { initBackend } from '../src/engine/backend/select';
import type { BackendReport } from '../src/engine/vocabulary/backends';
import { memoryTimingStore, type TimingStore } from '../src/worker/backend-timing-store';
import type { StampedEvent, WorkerCommand } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { useNodeWebGPU } from './helpers/node-webgpu';
import { syntheticDataset } from './helpers/synthetic-dataset';

useNodeWebGPU({ selectBackend: false });
const tiny = syntheticDataset({ height: 8, width: 8, channels: 1, classes: 3, train: 120, test: 12 });

const configure: WorkerCommand = {
  type: 'configure',
  dataset: SHIPPED_DATASET,
  config: { model: 'mlp-narrow', steps: 4, labeled: 60, batchSize: 8, evalEvery: 0, seed: 3 },
  sharpness: { mode: 'off', every: 50 },
};

function host(store: TimingStore) {
  const events: StampedEvent[] = [];
  const inits: string[] = [];
  const h = new TrainingHost({
    post: (e) => void events.push(e),
    initBackend: (c, threads, opts) => (inits.push(c), initBackend(c, { ...(threads ? { wasmThreads: threads } : {}), ...opts })),
    loadShippedDataset: () => Promise.resolve(tiny),
    close: () => undefined,
    timingStore: store,
  });
  return { h, events, inits, reports: () => events.filter((e): e is StampedEvent & { type: 'backend'; report: BackendReport } => e.type === 'backend').map((e) => e.report) };
}

describe('choosing the backend by timing', () => {
  it('takes the faster candidate, reports every figure, and keeps a failing one out', async () => {
    const m = await chooseByTiming(['webgpu', 'wasm', 'cpu'], 'mlp lsq, batch 8', async (b) => {
      if (b === 'cpu') throw new Error('no such thing\nsecond line');
      return b === 'webgpu' ? 30 : 12;
    });
    expect(m.chosen).toBe('wasm');
    expect(m.timings).toEqual([
      { backend: 'webgpu', msPerStep: 30 },
      { backend: 'wasm', msPerStep: 12 },
      { backend: 'cpu', msPerStep: null, error: 'no such thing' },
    ]);
    expect(m.reason).toBe('2.5× faster than webgpu on mlp lsq, batch 8');
    const none = await chooseByTiming(['webgpu', 'wasm'], 'x', async () => Number.NaN);
    expect(none.chosen).toBe('webgpu');
    expect(none.reason).toMatch(/no backend could be timed/);
  });

  it('times webgpu and wasm on the run before its first step, trains on the faster, and remembers it', async () => {
    const store = memoryTimingStore();
    const a = host(store);
    await a.h.handle({ type: 'init', backend: 'auto', testHooks: true, timeSoftwareWebgpu: true });
    expect(a.reports()[0].name).toBe('webgpu');
    expect(a.reports()[0].candidates).toEqual(['webgpu', 'wasm']);
    await a.h.handle(configure);
    await a.h.handle({ type: 'start' });
    const chosen = a.reports()[1];
    const m = chosen.measured!;
    expect(m.timings.map((t) => t.backend)).toEqual(['webgpu', 'wasm']);
    for (const t of m.timings) expect(t.msPerStep).toBeGreaterThan(0);
    const fastest = m.timings.reduce((x, y) => (y.msPerStep! < x.msPerStep! ? y : x));
    expect(chosen.name).toBe(fastest.backend);
    expect(m.chosen).toBe(fastest.backend);
    expect(m.remembered).toBe(false);
    expect(m.workload).toBe('mlp-narrow lsq, batch 8, 8×8×1');
    expect(tf.getBackend()).toBe(chosen.name);
    expect(a.events.some((e) => e.type === 'phase' && e.phase === 'timing-backends')).toBe(true);
    expect(a.events.some((e) => e.type === 'error')).toBe(false);
    // The run trained to its end on the chosen backend.
    expect(a.events.filter((e) => e.type === 'phase').at(-1)).toMatchObject({ phase: 'done', step: 4 });

    // Another Worker of the same machine (the same store): the figures are remembered, nothing is timed again.
    const b = host(store);
    await b.h.handle({ type: 'init', backend: 'auto', testHooks: true, timeSoftwareWebgpu: true });
    await b.h.handle(configure);
    await b.h.handle({ type: 'start' });
    const again = b.reports()[1];
    expect(again.name).toBe(chosen.name);
    expect(again.measured).toMatchObject({ remembered: true, chosen: m.chosen, timings: m.timings });
    // init, then only the switch to the remembered choice: no timing runs on either candidate.
    expect(b.inits).toEqual(['auto', m.chosen]);
  }, 300_000);

  it('a named backend is used as named, and a software adapter alone is not timed', async () => {
    const a = host(memoryTimingStore());
    await a.h.handle({ type: 'init', backend: 'wasm' });
    await a.h.handle(configure);
    await a.h.handle({ type: 'start' });
    expect(a.reports().map((r) => r.name)).toEqual(['wasm']);
    expect(a.inits).toEqual(['wasm']);
    // Without the test hook, auto passes over SwiftShader and has nothing to time.
    const b = host(memoryTimingStore());
    await b.h.handle({ type: 'init', backend: 'auto' });
    expect(b.reports()[0].name).toBe('wasm');
    expect(b.reports()[0].candidates).toBeUndefined();
    expect(b.reports()[0].fallbacks[0]).toMatch(/software adapter/);
  }, 120_000);
});
