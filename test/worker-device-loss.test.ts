/**
 * A lost GPU device, provoked: the training host on webgpu (Dawn for Node on SwiftShader) has its device destroyed
 * through the test-only command while a run trains. The run says so, keeps its last checkpoint, and a fresh host on
 * another backend continues from that checkpoint to the end. Without test hooks the command does nothing.
 */
import { describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import { initBackend } from '../src/engine/backend/select';
import type { SessionCheckpoint } from '../src/engine/train/checkpoint';
import type { StampedEvent, WorkerCommand } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { useNodeWebGPU } from './helpers/node-webgpu';
import { syntheticDataset } from './helpers/synthetic-dataset';

useNodeWebGPU({ selectBackend: false });

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });
const STEPS = 12;
const configure: WorkerCommand = {
  type: 'configure',
  dataset: SHIPPED_DATASET,
  config: { model: 'mlp-narrow', steps: STEPS, labeled: 40, batchSize: 8, evalEvery: 0, evalSamples: 8, seed: 1 },
  sharpness: { mode: 'off', every: 3 },
  gen: 1,
};

function host(): { events: StampedEvent[]; host: TrainingHost; until(p: (e: StampedEvent) => boolean, ms?: number): Promise<void> } {
  const events: StampedEvent[] = [];
  const waiters: { p: (e: StampedEvent) => boolean; resolve: () => void }[] = [];
  const h = new TrainingHost(
    {
      post: (e) => {
        events.push(e);
        for (const w of [...waiters]) if (w.p(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      },
      initBackend: (c) => initBackend(c),
      loadShippedDataset: () => Promise.resolve(tiny),
      close: () => undefined,
    },
    0,
  );
  const until = (p: (e: StampedEvent) => boolean, ms = 60_000) =>
    new Promise<void>((resolve, reject) => {
      if (events.some(p)) return resolve();
      const t = setTimeout(() => reject(new Error('timed out')), ms);
      waiters.push({ p, resolve: () => (clearTimeout(t), resolve()) });
    });
  return { events, host: h, until };
}

const steps = (events: StampedEvent[]) => events.flatMap((e) => (e.type === 'metrics' ? Array.from(e.batch.step) : []));
const checkpoints = (events: StampedEvent[]): SessionCheckpoint[] => events.flatMap((e) => (e.type === 'checkpoint' ? [e.checkpoint] : []));

describe('a lost WebGPU device', () => {
  it('is not provoked without test hooks', async () => {
    const a = host();
    await a.host.handle({ type: 'init', backend: 'webgpu' });
    expect(a.events.find((e) => e.type === 'backend')).toMatchObject({ report: { name: 'webgpu' } });
    await a.host.handle(configure);
    await a.host.handle({ type: 'step' });
    await a.host.handle({ type: 'test-lose-device' });
    await a.host.handle({ type: 'step' });
    expect(steps(a.events)).toEqual([1, 2]);
    expect(a.events.filter((e) => e.type === 'error')).toEqual([]);
    await a.host.handle({ type: 'dispose' });
  }, 120_000);

  it('mid-run: the run reports "device-lost" and keeps its checkpoint; a fresh host on cpu continues from it to the end', async () => {
    const a = host();
    await a.host.handle({ type: 'init', backend: 'webgpu', testHooks: true });
    await a.host.handle(configure);
    void a.host.handle({ type: 'start' });
    await a.until((e) => e.type === 'checkpoint' && e.checkpoint.step >= 3);
    await a.host.handle({ type: 'test-lose-device' });
    await a.until((e) => e.type === 'error');
    const errors = a.events.filter((e) => e.type === 'error');
    expect(errors).toEqual([expect.objectContaining({ kind: 'device-lost', message: expect.stringMatching(/the GPU device was lost/) })]);
    const last = checkpoints(a.events).at(-1)!;
    expect(last.step).toBeGreaterThanOrEqual(3);
    expect(last.step).toBeLessThan(STEPS);
    // Whatever the loop still did after the loss is not reported as another failure.
    await new Promise((r) => setTimeout(r, 500));
    expect(a.events.filter((e) => e.type === 'error').length).toBe(1);

    const b = host();
    await b.host.handle({ type: 'init', backend: 'cpu' });
    await b.host.handle(configure);
    await b.host.handle({ type: 'restore', checkpoint: structuredClone(last) });
    await b.host.handle({ type: 'resume' });
    expect(b.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(steps(b.events)).toEqual(Array.from({ length: STEPS - last.step }, (_, i) => last.step + 1 + i));
    expect(b.events.at(-1)).toMatchObject({ type: 'phase', phase: 'done', step: STEPS });
    await b.host.handle({ type: 'dispose' });
  }, 120_000);
});
