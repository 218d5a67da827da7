/**
 * Runs that survive an interruption, host side: the host posts checkpoints (between steps, at pause and at the end,
 * transferred), and a fresh host restored from one (after a structured clone, as IndexedDB stores it) ends with
 * the same numbers, step for step, as a run that was never interrupted. A pause while a restore still waits for
 * its data leaves the restored run in place.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import { initBackend } from '../src/engine/backend/select';
import type { SessionCheckpoint } from '../src/engine/train/checkpoint';
import type { TrainConfigInput } from '../src/engine/train/config';
import type { StampedEvent, WorkerCommand } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });
const STEPS = 24;

function configure(method: 'lsq' | 'lsq+cr'): WorkerCommand {
  const config: TrainConfigInput = { model: 'mlp-narrow', method, steps: STEPS, labeled: 40, batchSize: 8, evalEvery: 5, evalSamples: 8, seed: 3 };
  return { type: 'configure', dataset: SHIPPED_DATASET, config, sharpness: { mode: 'off', every: 3 }, gen: 1 };
}

class Recorder {
  readonly posted: { event: StampedEvent; transfer: Transferable[] }[] = [];
  private waiters: { p: (e: StampedEvent) => boolean; resolve: () => void }[] = [];
  readonly host: TrainingHost;

  constructor(checkpointEveryMs?: number, loadDataset: () => Promise<typeof tiny> = () => Promise.resolve(tiny)) {
    this.host = new TrainingHost(
      {
        post: (sent, transfer) => {
          // As postMessage does: the listed buffers move, and are detached on the host's side.
          const event = structuredClone(sent, { transfer: transfer as Transferable[] as never });
          this.posted.push({ event, transfer });
          for (const w of [...this.waiters]) if (w.p(event)) (this.waiters.splice(this.waiters.indexOf(w), 1), w.resolve());
        },
        initBackend: (c) => initBackend(c),
        loadShippedDataset: loadDataset,
        close: () => undefined,
      },
      checkpointEveryMs,
    );
  }

  get events(): StampedEvent[] {
    return this.posted.map((p) => p.event);
  }

  until(p: (e: StampedEvent) => boolean): Promise<void> {
    return new Promise((resolve) => (this.events.some(p) ? resolve() : this.waiters.push({ p, resolve })));
  }

  /** Every logged loss (and CE, consistency), by step. */
  losses(): Map<number, [number, number, number]> {
    const out = new Map<number, [number, number, number]>();
    for (const e of this.events) if (e.type === 'metrics') e.batch.step.forEach((s, i) => out.set(s, [e.batch.loss[i], e.batch.ce[i], e.batch.consistency[i]]));
    return out;
  }

  evals(): string[] {
    return this.events.flatMap((e) => (e.type === 'eval' ? [JSON.stringify(e.metrics)] : []));
  }

  checkpoints(): SessionCheckpoint[] {
    return this.events.flatMap((e) => (e.type === 'checkpoint' ? [e.checkpoint] : []));
  }
}

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe('TrainingHost checkpoints and resume', () => {
  for (const method of ['lsq', 'lsq+cr'] as const) {
    it(`${method}: interrupted at a pause and resumed in a fresh host, every logged loss and evaluation matches an uninterrupted run`, async () => {
      const whole = new Recorder();
      await whole.host.handle({ type: 'init', backend: 'cpu' });
      await whole.host.handle(configure(method));
      await whole.host.handle({ type: 'start' });
      expect(whole.losses().size).toBe(STEPS);
      // The run ended: its last checkpoint is at the last step.
      expect(whole.checkpoints().at(-1)?.step).toBe(STEPS);

      // The same run, paused mid-way by a message, then thrown away (a closed tab).
      const first = new Recorder();
      await first.host.handle({ type: 'init', backend: 'cpu' });
      await first.host.handle(configure(method));
      const started = first.host.handle({ type: 'start' });
      await first.until((e) => e.type === 'metrics' && e.batch.step.at(-1)! >= 9);
      await new Promise<void>((r) => setTimeout(() => void first.host.handle({ type: 'pause' }).then(r), 0));
      await started;
      const cp = first.checkpoints().at(-1)!;
      const k = cp.step;
      expect(k).toBeGreaterThanOrEqual(9);
      expect(k).toBeLessThan(STEPS);
      // Every step up to the checkpoint's was posted before it, none after.
      const at = first.events.findIndex((e) => e.type === 'checkpoint' && e.checkpoint === cp);
      const before = first.events.slice(0, at).flatMap((e) => (e.type === 'metrics' ? Array.from(e.batch.step) : []));
      expect(before.at(-1)).toBe(k);
      // Transferred, not copied: the host's side of the buffers is detached.
      expect(first.posted[at].transfer.length).toBeGreaterThan(0);
      expect((first.posted[at].transfer[0] as ArrayBuffer).byteLength).toBe(0);
      const stored = structuredClone(cp);
      await first.host.handle({ type: 'dispose' });

      const second = new Recorder();
      await second.host.handle({ type: 'init', backend: 'cpu' });
      await second.host.handle(configure(method));
      await second.host.handle({ type: 'restore', checkpoint: stored });
      expect(second.events.at(-1)).toMatchObject({ type: 'phase', phase: 'paused', step: k });
      await second.host.handle({ type: 'resume' });
      expect(second.events.filter((e) => e.type === 'error')).toEqual([]);

      const resumed = new Map([...first.losses()].filter(([s]) => s <= k));
      for (const [s, v] of second.losses()) resumed.set(s, v);
      expect([...second.losses().keys()][0]).toBe(k + 1);
      expect([...resumed.keys()]).toEqual([...whole.losses().keys()]);
      for (const [s, v] of whole.losses()) expect(resumed.get(s), `losses at step ${s}`).toEqual(v);
      const evals = [...first.evals().filter((e) => JSON.parse(e).step <= k), ...second.evals()];
      expect(evals).toEqual(whole.evals());

      await whole.host.handle({ type: 'dispose' });
      await second.host.handle({ type: 'dispose' });
    });
  }

  it('posts a checkpoint between steps every interval, and a restore into a trained session is refused', async () => {
    const r = new Recorder(0);
    await r.host.handle({ type: 'init', backend: 'cpu' });
    await r.host.handle(configure('lsq'));
    await r.host.handle({ type: 'start' });
    // Interval 0: after every step but the last, plus the one at the end.
    expect(r.checkpoints().map((c) => c.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    const cp = r.checkpoints()[3];
    await r.host.handle({ type: 'restore', checkpoint: cp });
    expect(r.events.filter((e) => e.type === 'error').map((e) => e.type === 'error' && e.message)).toEqual([expect.stringMatching(/fresh session/)]);
    const baseline = tf.memory().numTensors;
    await r.host.handle({ type: 'reset' });
    expect(tf.memory().numTensors).toBeLessThan(baseline);
    await r.host.handle({ type: 'dispose' });
  });

  it('a pause while a restore waits for the data does not cancel it: the run is back at its step, paused, and resumes', async () => {
    const r = new Recorder();
    await r.host.handle({ type: 'init', backend: 'cpu' });
    await r.host.handle(configure('lsq'));
    const started = r.host.handle({ type: 'start' });
    await r.until((e) => e.type === 'metrics' && e.batch.step.at(-1)! >= 5);
    await r.host.handle({ type: 'pause' });
    await started;
    const cp = structuredClone(r.checkpoints().at(-1)!);
    await r.host.handle({ type: 'dispose' });

    // The page's second visit: the Worker's data arrives late, and a click lands on Pause while it loads.
    let release: () => void = () => undefined;
    const late = new Promise<typeof tiny>((resolve) => (release = () => resolve(tiny)));
    const again = new Recorder(undefined, () => late);
    await again.host.handle({ type: 'init', backend: 'cpu' });
    await again.host.handle(configure('lsq'));
    const restored = again.host.handle({ type: 'restore', checkpoint: cp });
    await again.until((e) => e.type === 'phase' && e.phase === 'loading-data');
    const paused = again.host.handle({ type: 'pause' });
    release();
    await Promise.all([restored, paused]);
    expect(again.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(again.events.filter((e) => e.type === 'phase').at(-1)).toMatchObject({ phase: 'paused', step: cp.step });
    await again.host.handle({ type: 'resume' });
    expect([...again.losses().keys()][0]).toBe(cp.step + 1);
    expect(again.events.filter((e) => e.type === 'phase').at(-1)).toMatchObject({ phase: 'done', step: STEPS });
    await again.host.handle({ type: 'dispose' });
  });
});
