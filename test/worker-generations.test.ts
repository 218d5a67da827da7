/**
 * Generations, host side: every event the training host posts is stamped with the generation of the last configure
 * or reset it received, so the page can tell a late event of a dropped run from one of the run that replaced it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import { initBackend } from '../src/engine/backend/select';
import type { StampedEvent, WorkerCommand } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });

function configure(steps: number, gen: number): WorkerCommand {
  return {
    type: 'configure',
    dataset: SHIPPED_DATASET,
    config: { model: 'mlp-narrow', steps, labeled: 40, batchSize: 8, evalEvery: 3, evalSamples: 8, seed: 1 },
    sharpness: { mode: 'off', every: 3 },
    gen,
  };
}

function host(): { events: StampedEvent[]; host: TrainingHost; until: (p: (e: StampedEvent) => boolean) => Promise<void> } {
  const events: StampedEvent[] = [];
  const waiters: { p: (e: StampedEvent) => boolean; resolve: () => void }[] = [];
  const h = new TrainingHost({
    post: (e) => {
      events.push(e);
      for (const w of [...waiters]) if (w.p(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    },
    initBackend: (c) => initBackend(c),
    loadShippedDataset: () => Promise.resolve(tiny),
    close: () => undefined,
  });
  return { events, host: h, until: (p) => new Promise((resolve) => (events.some(p) ? resolve() : waiters.push({ p, resolve }))) };
}

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe('TrainingHost generations', () => {
  it('stamps each event with the generation of the last configure or reset, and posts nothing of a run after it was reset', async () => {
    const { events, host: h, until } = host();
    await h.handle({ type: 'init', backend: 'cpu' });
    expect(events.map((e) => e.gen)).toEqual([0, 0]);
    await h.handle(configure(400, 7));
    const started = h.handle({ type: 'start' });
    await until((e) => e.type === 'metrics' && e.batch.step.at(-1)! >= 5);
    // A reset arrives mid-stream, as its own task (as a Worker receives a message).
    let at = -1;
    await new Promise<void>((r) =>
      setTimeout(() => {
        at = events.length;
        void h.handle({ type: 'reset', gen: 8 }).then(r);
      }, 0),
    );
    await started;
    const after = events.slice(at);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((e) => e.gen !== 8).map((e) => `${e.type}@${e.gen}`)).toEqual([]);
    expect(after.filter((e) => e.type === 'metrics' || e.type === 'eval' || e.type === 'step-sizes')).toEqual([]);
    expect(after.at(-1)).toMatchObject({ type: 'phase', phase: 'ready', step: 0, gen: 8 });
    // Everything before the reset was the configured run's.
    expect(events.slice(2, at).filter((e) => e.gen !== 7)).toEqual([]);
    // A configure or reset without a generation counts on from the last one.
    await h.handle({ type: 'reset' });
    expect(events.at(-1)?.gen).toBe(9);
    await h.handle({ type: 'reset', gen: 8 });
  });
});
