/**
 * The training Worker's host, driven in Node through its message protocol on the cpu backend with a tiny synthetic
 * dataset: the order of the events it posts, and its races (commands that arrive while data loads, while a spectrum
 * runs, while a read of the model is in flight, while a run trains).
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import { initBackend } from '../src/engine/backend/select';
import type { BackendChoice, BackendReport } from '../src/engine/backend/types';
import type { Dataset } from '../src/engine/data/types';
import type { TrainConfigInput } from '../src/engine/train/config';
import type { MetricBatch, WorkerCommand, WorkerEvent } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });
const other = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 60, test: 12, seed: 2 });

/** The smallest run that still has step sizes (LSQ), a periodic evaluation and a final one. */
function config(steps: number, extra: TrainConfigInput = {}): TrainConfigInput {
  return { model: 'mlp-narrow', steps, labeled: 40, batchSize: 8, evalEvery: 3, evalSamples: 8, seed: 1, ...extra };
}

function configure(steps: number, opts: { sharpness?: 'off' | 'cheap'; every?: number; dataset?: string; extra?: TrainConfigInput } = {}): WorkerCommand {
  return {
    type: 'configure',
    dataset: opts.dataset ?? SHIPPED_DATASET,
    config: config(steps, opts.extra),
    sharpness: { mode: opts.sharpness ?? 'off', every: opts.every ?? 3 },
  };
}

/** A promise and the functions that settle it, for loaders and backends that finish when a test says so. */
function gate<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A few turns of the event loop: time for late posts (a read that resolves after the command) to show up. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 2));
};

interface Posted {
  event: WorkerEvent;
  transfer: Transferable[];
}

/** A host with a recording `post`; the loader and backend are the test's to hold back. */
class Harness {
  readonly posted: Posted[] = [];
  readonly host: TrainingHost;
  loads = 0;
  closed = 0;
  private waiters: { pred: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void; from: number }[] = [];

  constructor(opts: { load?: () => Promise<Dataset>; init?: (c: BackendChoice) => Promise<BackendReport> } = {}) {
    this.host = new TrainingHost({
      post: (stamped, transfer = []) => {
        // The generation stamp is checked in worker-generations.test.ts; here events are compared without it.
        const { gen: _gen, ...event } = stamped as WorkerEvent & { gen?: number };
        this.posted.push({ event: event as WorkerEvent, transfer });
        // Waiters run as the event is posted: a test reacts before the host takes its next step.
        for (const w of [...this.waiters]) {
          if (w.pred(event)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      },
      initBackend: opts.init ?? ((c) => initBackend(c)),
      loadShippedDataset: () => {
        this.loads++;
        return opts.load ? opts.load() : Promise.resolve(tiny);
      },
      close: () => this.closed++,
    });
  }

  get events(): WorkerEvent[] {
    return this.posted.map((p) => p.event);
  }

  send(cmd: WorkerCommand): Promise<void> {
    return this.host.handle(cmd);
  }

  /** As a Worker receives a message: in a task of its own, once the host lets the event loop run. */
  deliver(cmd: WorkerCommand): Promise<void> {
    return new Promise((resolve) => setTimeout(() => resolve(this.send(cmd)), 0));
  }

  /** The next event (from now, or from index `from`) that matches. */
  until(pred: (e: WorkerEvent) => boolean, from = this.posted.length): Promise<WorkerEvent> {
    const seen = this.events.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve, from }));
  }

  mark(): number {
    return this.posted.length;
  }

  /** Events as short labels (phases with their phase), leaving out the streaming ones (metrics, step sizes, quantization errors) and checkpoints unless asked. */
  labels(from = 0, keep: (e: WorkerEvent) => boolean = (e) => e.type !== 'metrics' && e.type !== 'step-sizes' && e.type !== 'checkpoint' && e.type !== 'quant-error'): string[] {
    return this.events
      .slice(from)
      .filter(keep)
      .map((e) => (e.type === 'phase' ? `phase:${e.phase}` : e.type === 'error' ? `error:${e.kind}` : e.type));
  }

  /** Every step reported in metric batches after `from`, in order. */
  metricSteps(from = 0): number[] {
    return this.events.slice(from).flatMap((e) => (e.type === 'metrics' ? Array.from(e.batch.step) : []));
  }

  errors(): string[] {
    return this.events.flatMap((e) => (e.type === 'error' ? [`${e.kind}: ${e.message}`] : []));
  }
}

const isPhase = (p: string) => (e: WorkerEvent) => e.type === 'phase' && e.phase === p;
const isMetricsFrom = (step: number) => (e: WorkerEvent) => e.type === 'metrics' && e.batch.step[e.batch.step.length - 1] >= step;

/** The test's harness, reset after the test: whatever it trained must be freed then. */
let opened: { h: Harness; baseline: number } | null = null;

/** A harness whose backend is up (tensor baseline taken after it). */
async function ready(opts: ConstructorParameters<typeof Harness>[0] = {}): Promise<{ h: Harness; baseline: number }> {
  const h = new Harness(opts);
  await h.send({ type: 'init', backend: 'cpu' });
  opened = { h, baseline: tf.memory().numTensors };
  return opened;
}

afterEach(async () => {
  if (!opened) return;
  const { h, baseline } = opened;
  opened = null;
  await h.send({ type: 'reset' });
  await turns();
  expect(tf.memory().numTensors, 'tensors left after the test and a reset').toBe(baseline);
});

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe('TrainingHost: a run from configure to done', () => {
  it('posts backend, ready, loading, pool, compiling, running, batched metrics, evaluations and sharpness in order', async () => {
    const { h, baseline } = await ready();
    expect(h.labels()).toEqual(['phase:starting', 'backend']);
    const backend = h.events[1];
    expect(backend.type === 'backend' && backend.report.name).toBe('cpu');

    await h.send(configure(6, { sharpness: 'cheap', every: 3 }));
    const from = h.mark();
    await h.send({ type: 'start' });
    await turns();
    expect(h.labels(from)).toEqual(['phase:loading-data', 'pool', 'phase:compiling', 'phase:running', 'eval', 'sharpness', 'eval', 'sharpness', 'phase:done']);
    // Every step once, in order, in fewer messages than steps; each batch's arrays are transferred.
    expect(h.metricSteps(from)).toEqual([1, 2, 3, 4, 5, 6]);
    const batches = h.posted.slice(from).filter((p) => p.event.type === 'metrics');
    expect(batches.length).toBeLessThan(6);
    for (const p of batches) {
      const b = (p.event as { batch: MetricBatch }).batch;
      expect(p.transfer).toContain(b.step.buffer);
      expect(p.transfer).toContain(b.loss.buffer);
    }
    // An evaluation follows the metrics of exactly the steps before it (the batcher is flushed first).
    h.events.forEach((e, i) => {
      if (e.type === 'eval') expect(h.metricSteps(from).slice(0, e.metrics.step), `before eval ${e.metrics.step}`).toEqual(h.events.slice(from, i).flatMap((x) => (x.type === 'metrics' ? Array.from(x.batch.step) : [])));
    });
    const evals = h.events.filter((e) => e.type === 'eval');
    expect(evals.map((e) => e.type === 'eval' && [e.metrics.step, e.metrics.samples])).toEqual([
      [3, 8],
      [6, tiny.test.count],
    ]);
    const sharp = h.events.filter((e) => e.type === 'sharpness');
    expect(sharp.map((e) => e.type === 'sharpness' && e.estimate.step)).toEqual([3, 6]);
    for (const e of sharp) {
      if (e.type !== 'sharpness') continue;
      expect(e.share).toBeGreaterThan(0);
      expect(e.share).toBeLessThan(1);
    }
    // Step sizes: the first and the last step at least, one value per quantizer.
    const sizes = h.events.filter((e) => e.type === 'step-sizes');
    expect(sizes.map((e) => e.type === 'step-sizes' && e.step)).toEqual(expect.arrayContaining([1, 6]));
    for (const e of sizes) {
      if (e.type !== 'step-sizes') continue;
      expect(e.names.length).toBeGreaterThan(0);
      expect(e.values.length).toBe(e.names.length);
    }
    const done = h.events.at(-1);
    expect(done).toEqual({ type: 'phase', phase: 'done', step: 6, totalSteps: 6 });
    expect(h.errors()).toEqual([]);

    // A started run that is done stays done; reset frees every tensor of the run.
    const again = h.mark();
    await h.send({ type: 'start' });
    expect(h.metricSteps(again)).toEqual([]);
    await h.send({ type: 'reset' });
    expect(h.events.at(-1)).toEqual({ type: 'phase', phase: 'ready', step: 0, totalSteps: 6 });
    expect(tf.memory().numTensors).toBe(baseline);
    expect(h.loads).toBe(1);
  });

  it('steps one at a time, evaluates on demand, inspects and exports the trained model', async () => {
    const { h, baseline } = await ready();
    await h.send(configure(6));
    const from = h.mark();
    await h.send({ type: 'step' });
    await h.send({ type: 'step' });
    expect(h.metricSteps(from)).toEqual([1, 2]);
    expect(h.labels(from)).toEqual(['phase:loading-data', 'pool', 'phase:running', 'phase:running', 'phase:paused', 'phase:running', 'phase:paused']);
    await h.send({ type: 'evaluate' });
    const ev = h.events.at(-1);
    expect(ev?.type === 'eval' && [ev.metrics.step, ev.metrics.samples]).toEqual([2, tiny.test.count]);
    await h.send({ type: 'inspect', images: 8 });
    const insp = h.posted.at(-1)!;
    expect(insp.event.type).toBe('inspection');
    if (insp.event.type === 'inspection') {
      expect(insp.event.inspection.step).toBe(2);
      expect(insp.event.inspection.labels.length).toBe(8);
      expect(insp.transfer).toContain(insp.event.inspection.images.buffer);
    }
    await h.send({ type: 'export-model' });
    const file = h.events.at(-1);
    expect(file?.type === 'model-file' && file.steps).toBe(2);
    await h.send({ type: 'reset' });
    expect(tf.memory().numTensors).toBe(baseline);
    expect(h.errors()).toEqual([]);
  });

  it('says why a run cannot start: a dataset never loaded, a spectrum or export before the first step', async () => {
    const { h } = await ready();
    await h.send(configure(4, { dataset: 'my-data' }));
    let from = h.mark();
    await h.send({ type: 'start' });
    expect(h.labels(from)).toEqual(['error:failed', 'phase:ready']);
    expect(h.errors()[0]).toMatch(/my-data is not shipped/);
    await h.send(configure(4));
    from = h.mark();
    await h.send({ type: 'spectrum', k: 2, samples: 16 });
    await h.send({ type: 'export-model' });
    expect(h.labels(from)).toEqual(['error:failed', 'phase:ready', 'error:failed', 'phase:ready']);
    // Reads before the first step say nothing (no session is built for them).
    from = h.mark();
    await h.send({ type: 'inspect', images: 4 });
    await h.send({ type: 'classify-pool', ids: [1] });
    expect(h.labels(from)).toEqual([]);
    expect(h.loads).toBe(0);
  });

  it('a diverging run reports "diverged" after the metrics of its last steps, and ends "failed"', async () => {
    const { h } = await ready();
    await h.send(configure(50, { extra: { lr: 1e9, evalEvery: 0 } }));
    const from = h.mark();
    await h.send({ type: 'start' });
    const labels = h.labels(from);
    expect(labels.slice(-2)).toEqual(['error:diverged', 'phase:failed']);
    const failed = h.events.at(-1);
    const steps = h.metricSteps(from);
    // The failing step itself reports no metrics; every step before it does, before the error.
    expect(failed?.type === 'phase' && failed.step).toBe(steps.length + 1);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    // Nothing more trains: start is a no-op on a failed run.
    const again = h.mark();
    await h.send({ type: 'start' });
    expect(h.metricSteps(again)).toEqual([]);
  });

  it('trains on a dataset loaded on the page, and drops it when a configure names another', async () => {
    const { h, baseline } = await ready();
    await h.send({ type: 'dataset', id: 'mine', dataset: other });
    await h.send(configure(3, { dataset: 'mine' }));
    const from = h.mark();
    await h.send({ type: 'start' });
    expect(h.labels(from)).toEqual(['pool', 'phase:compiling', 'phase:running', 'eval', 'phase:done']);
    const ev = h.events.filter((e) => e.type === 'eval').at(-1);
    expect(ev?.type === 'eval' && ev.metrics.samples).toBe(other.test.count);
    await h.send(configure(3));
    await h.send(configure(3, { dataset: 'mine' }));
    const again = h.mark();
    await h.send({ type: 'start' });
    expect(h.labels(again)).toEqual(['error:failed', 'phase:ready']);
    expect(h.loads).toBe(0);
    await h.send({ type: 'reset' });
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('TrainingHost: races', () => {
  it('a configure while the dataset loads answers at once; the old run never trains; the load is shared', async () => {
    const data = gate<Dataset>();
    const { h, baseline } = await ready({ load: () => data.promise });
    await h.send(configure(6));
    const from = h.mark();
    const started = h.send({ type: 'start' });
    await h.until(isPhase('loading-data'));
    const reconfigured = h.send(configure(4));
    await turns();
    // Ready for the new setup while the data is still on its way.
    expect(h.labels(from)).toEqual(['phase:loading-data', 'phase:ready']);
    const afterReady = h.mark();
    data.resolve(tiny);
    await Promise.all([started, reconfigured]);
    await turns();
    // Nothing of the dropped run arrives after "ready": no pool, no phase, no metrics, no error.
    expect(h.labels(afterReady, () => true)).toEqual([]);
    await h.send({ type: 'start' });
    expect(h.metricSteps(afterReady)).toEqual([1, 2, 3, 4]);
    expect(h.events.at(-1)).toEqual({ type: 'phase', phase: 'done', step: 4, totalSteps: 4 });
    expect(h.loads).toBe(1);
    expect(h.errors()).toEqual([]);
    await h.send({ type: 'reset' });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a start during the load that the new configure catches up with trains the new setup', async () => {
    const data = gate<Dataset>();
    const { h } = await ready({ load: () => data.promise });
    await h.send(configure(6));
    void h.send({ type: 'start' });
    await h.until(isPhase('loading-data'));
    void h.send(configure(3));
    const from = h.mark();
    const second = h.send({ type: 'start' });
    await turns();
    data.resolve(tiny);
    await second;
    await turns();
    expect(h.metricSteps(from)).toEqual([1, 2, 3]);
    // The second start waits for the same download (it says so), then trains.
    expect(h.labels(from)).toEqual(['phase:ready', 'phase:loading-data', 'pool', 'phase:compiling', 'phase:running', 'eval', 'phase:done']);
    // Every phase from the new configure on is the new run's (3 steps), none the dropped one's (6).
    expect(h.events.slice(from).flatMap((e) => (e.type === 'phase' ? [e.totalSteps] : []))).toEqual(expect.arrayContaining([3]));
    expect(h.events.slice(from).filter((e) => e.type === 'phase' && e.totalSteps !== 3)).toEqual([]);
    expect(h.errors()).toEqual([]);
    expect(h.loads).toBe(1);
  });

  it('a pause while the dataset loads keeps the run from starting once it has loaded', async () => {
    const data = gate<Dataset>();
    const { h } = await ready({ load: () => data.promise });
    await h.send(configure(6));
    const from = h.mark();
    const started = h.send({ type: 'start' });
    await h.until(isPhase('loading-data'));
    const paused = h.send({ type: 'pause' });
    data.resolve(tiny);
    await Promise.all([started, paused]);
    await turns();
    expect(h.metricSteps(from)).toEqual([]);
    expect(h.labels(from)).not.toContain('phase:compiling');
    // The page is told the run is back where it started, not left "loading".
    const phases = h.events.slice(from).filter((e) => e.type === 'phase');
    expect(phases.at(-1)).toMatchObject({ phase: 'ready' });
    // Resume (or start) trains it from step 1.
    const again = h.mark();
    await h.send({ type: 'start' });
    expect(h.metricSteps(again)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.loads).toBe(1);
    expect(h.errors()).toEqual([]);
  });

  it('a failed load is reported, leaves the run ready, and the next start tries again', async () => {
    let fail = true;
    const { h } = await ready({ load: () => (fail ? Promise.reject(new Error('HTTP 503')) : Promise.resolve(tiny)) });
    await h.send(configure(3));
    const from = h.mark();
    await h.send({ type: 'start' });
    expect(h.labels(from)).toEqual(['phase:loading-data', 'error:failed', 'phase:ready']);
    fail = false;
    await h.send({ type: 'start' });
    expect(h.events.at(-1)).toMatchObject({ type: 'phase', phase: 'done' });
    expect(h.loads).toBe(2);
  });

  it('a start before the backend is up waits for it', async () => {
    const backend = gate<void>();
    const h = new Harness({ init: async (c) => (await backend.promise, initBackend(c)) });
    opened = { h, baseline: tf.memory().numTensors };
    const init = h.send({ type: 'init', backend: 'cpu' });
    await h.send({ type: 'dataset', id: 'mine', dataset: other });
    await h.send(configure(3, { dataset: 'mine' }));
    const started = h.send({ type: 'start' });
    await turns();
    expect(h.labels()).toEqual(['phase:starting', 'phase:ready']);
    backend.resolve();
    await Promise.all([init, started]);
    expect(h.labels()).toEqual(['phase:starting', 'phase:ready', 'backend', 'pool', 'phase:compiling', 'phase:running', 'eval', 'phase:done']);
  });

  it('a pause during a spectrum stops it between two products, restores the weights, and resume trains on', async () => {
    const { h, baseline } = await ready();
    await h.send(configure(6));
    await h.send({ type: 'step' });
    await h.send({ type: 'step' });
    await h.send({ type: 'evaluate' });
    const before = h.events.at(-1);
    const tensors = tf.memory().numTensors;
    const from = h.mark();
    const spectrum = h.send({ type: 'spectrum', k: 2, samples: 16 });
    await h.until(isPhase('hessian'));
    const paused = h.send({ type: 'pause' });
    await Promise.all([spectrum, paused]);
    await turns();
    expect(h.labels(from)).toEqual(['phase:hessian', 'phase:paused', 'phase:paused']);
    expect(tf.memory().numTensors).toBe(tensors);
    // The weights are the trained ones again: the same evaluation to the last bit.
    await h.send({ type: 'evaluate' });
    expect(h.events.at(-1)).toEqual(before);

    // A spectrum asked for right after a pause is not cut short by it.
    const resumed = h.mark();
    await h.send({ type: 'resume' });
    expect(h.metricSteps(resumed)).toEqual([3, 4, 5, 6]);
    const full = h.mark();
    await h.send({ type: 'spectrum', k: 2, samples: 16 });
    expect(h.labels(full)).toEqual(['phase:hessian', 'spectrum', 'phase:done']);
    const s = h.events.find((e, i) => i >= full && e.type === 'spectrum');
    expect(s?.type === 'spectrum' && [s.step, s.summary.top.length]).toEqual([6, 2]);
    await h.send({ type: 'reset' });
    expect(tf.memory().numTensors).toBe(baseline);
    expect(h.errors()).toEqual([]);
  });

  it('a spectrum sent just after a pause runs to the end', async () => {
    const { h } = await ready();
    await h.send(configure(200));
    const started = h.send({ type: 'start' });
    await h.until(isMetricsFrom(2));
    const from = h.mark();
    const paused = h.send({ type: 'pause' });
    const spectrum = h.send({ type: 'spectrum', k: 2, samples: 16 });
    await Promise.all([started, paused, spectrum]);
    expect(h.labels(from).filter((l) => l !== 'phase:paused')).toEqual(['phase:hessian', 'spectrum']);
    expect(h.errors()).toEqual([]);
  });

  it('a pause sent while a step with a live sharpness estimate runs: no estimate is posted, the run pauses at that step', async () => {
    const { h } = await ready();
    await h.send(configure(40, { sharpness: 'cheap', every: 1 }));
    const started = h.send({ type: 'start' });
    // The first step's metrics go out at once, before its evaluation and estimate.
    await h.until(isMetricsFrom(1));
    const paused = h.send({ type: 'pause' });
    await Promise.all([started, paused]);
    await turns();
    expect(h.events.at(-1)).toEqual({ type: 'phase', phase: 'paused', step: 1, totalSteps: 40 });
    expect(h.labels().filter((l) => l === 'sharpness')).toEqual([]);
    // Resumed, the estimates come again, one a step.
    const from = h.mark();
    const resumed = h.send({ type: 'resume' });
    await h.until((e) => e.type === 'sharpness' && e.estimate.step >= 3);
    await Promise.all([resumed, h.send({ type: 'pause' })]);
    const sharp = h.events.slice(from).flatMap((e) => (e.type === 'sharpness' ? [e.estimate.step] : []));
    expect(sharp.slice(0, 2)).toEqual([2, 3]);
    expect(h.errors()).toEqual([]);
  });

  it('a pause that arrives as a message while a spectrum computes (cpu reads back synchronously) stops it', async () => {
    const { h } = await ready();
    await h.send(configure(6));
    await h.send({ type: 'step' });
    const from = h.mark();
    // Sixty-odd products: long enough, even on a fast CPU, for the products to give the event loop a turn.
    const spectrum = h.send({ type: 'spectrum', k: 10, samples: 40 });
    await h.until(isPhase('hessian'));
    // Delivered as a Worker delivers messages: a task of its own, which runs only when the spectrum lets it.
    const paused = h.deliver({ type: 'pause' });
    await Promise.all([spectrum, paused]);
    expect(h.labels(from)).toEqual(['phase:hessian', 'phase:paused', 'phase:paused']);
    expect(h.errors()).toEqual([]);
  });

  it('a reset during an inspect: the read finishes before the model is freed, nothing of it arrives after "ready"', async () => {
    const { h, baseline } = await ready();
    await h.send(configure(6, { extra: { method: 'lsq+cr' } }));
    await h.send({ type: 'step' });
    await h.send({ type: 'step' });
    const from = h.mark();
    const inspect = h.send({ type: 'inspect', images: 12 });
    const reset = h.send({ type: 'reset' });
    // An inspect sent after the reset describes no run.
    const late = h.send({ type: 'inspect', images: 12 });
    await Promise.all([inspect, reset, late]);
    await turns();
    expect(h.events.slice(from)).toEqual([{ type: 'phase', phase: 'ready', step: 0, totalSteps: 6 }]);
    expect(h.errors()).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a second configure mid-run replaces the first: the start sent with it trains the new setup only', async () => {
    const { h, baseline } = await ready();
    await h.send(configure(200));
    const first = h.send({ type: 'start' });
    await h.until(isMetricsFrom(2));
    // The page's repetition path: configure and start back to back.
    const reconfigure = h.send(configure(3, { extra: { seed: 2 } }));
    const second = h.send({ type: 'start' });
    await Promise.all([first, reconfigure, second]);
    await turns();
    const lastReady = h.events.map((e, i) => (e.type === 'phase' && e.phase === 'ready' ? i : -1)).filter((i) => i >= 0).at(-1)!;
    const after = h.events.slice(lastReady + 1);
    expect(h.metricSteps(lastReady)).toEqual([1, 2, 3]);
    expect(after.every((e) => e.type !== 'phase' || e.totalSteps === 3)).toBe(true);
    expect(after.filter((e) => e.type === 'step-sizes').every((e) => e.type === 'step-sizes' && e.step <= 3)).toBe(true);
    expect(after.at(-1)).toEqual({ type: 'phase', phase: 'done', step: 3, totalSteps: 3 });
    expect(h.errors()).toEqual([]);
    await h.send({ type: 'reset' });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a configure and start after a finished run train the new setup (the next seed of a repetition)', async () => {
    const { h } = await ready();
    await h.send(configure(3));
    await h.send({ type: 'start' });
    expect(h.events.at(-1)).toMatchObject({ phase: 'done', totalSteps: 3 });
    const from = h.mark();
    const reconfigure = h.send(configure(4, { extra: { seed: 2 } }));
    const started = h.send({ type: 'start' });
    await Promise.all([reconfigure, started]);
    expect(h.labels(from)).toEqual(['phase:ready', 'pool', 'phase:compiling', 'phase:running', 'eval', 'eval', 'phase:done']);
    expect(h.metricSteps(from)).toEqual([1, 2, 3, 4]);
    expect(h.events.at(-1)).toEqual({ type: 'phase', phase: 'done', step: 4, totalSteps: 4 });
  });

  it('a reset while training stops the run and frees it; after the reset arrives only "ready" is posted; a start then begins at step 1', async () => {
    const { h, baseline } = await ready();
    await h.send(configure(200, { sharpness: 'cheap', every: 2 }));
    const started = h.send({ type: 'start' });
    await h.until(isMetricsFrom(3));
    const from = h.mark();
    const reset = h.send({ type: 'reset' });
    await Promise.all([started, reset]);
    await turns();
    // The step in flight, its metrics, estimate, step sizes and the loop's "paused" stay unsaid.
    expect(h.events.slice(from)).toEqual([{ type: 'phase', phase: 'ready', step: 0, totalSteps: 200 }]);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(h.errors()).toEqual([]);
    const again = h.mark();
    const restarted = h.send({ type: 'start' });
    await h.until(isMetricsFrom(1));
    expect(h.metricSteps(again)[0]).toBe(1);
    expect(h.labels(again).slice(0, 3)).toEqual(['pool', 'phase:compiling', 'phase:running']);
    await h.send({ type: 'pause' });
    await restarted;
    await h.send({ type: 'reset' });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('configures back to back while training: each answers "ready", the last one wins, no session is leaked', async () => {
    const { h, baseline } = await ready();
    await h.send(configure(200));
    const started = h.send({ type: 'start' });
    await h.until(isMetricsFrom(2));
    const from = h.mark();
    await Promise.all([started, h.send(configure(5)), h.send(configure(7))]);
    expect(h.events.slice(from)).toEqual([
      { type: 'phase', phase: 'ready', step: 0, totalSteps: 5 },
      { type: 'phase', phase: 'ready', step: 0, totalSteps: 7 },
    ]);
    expect(tf.memory().numTensors).toBe(baseline);
    await h.send({ type: 'start' });
    expect(h.events.at(-1)).toEqual({ type: 'phase', phase: 'done', step: 7, totalSteps: 7 });
    await h.send({ type: 'reset' });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a reset queued behind a step and a spectrum drops them', async () => {
    const { h, baseline } = await ready();
    await h.send(configure(6));
    await h.send({ type: 'step' });
    const from = h.mark();
    const jobs = [h.send({ type: 'step' }), h.send({ type: 'spectrum', k: 2, samples: 16 }), h.send({ type: 'reset' })];
    await Promise.all(jobs);
    await turns();
    expect(h.events.at(-1)).toMatchObject({ type: 'phase', phase: 'ready', step: 0 });
    expect(h.labels(from)).not.toContain('spectrum');
    expect(h.errors()).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('added images sent while the data loads join the pool the session is built with', async () => {
    const data = gate<Dataset>();
    const { h } = await ready({ load: () => data.promise });
    await h.send(configure(2, { extra: { method: 'lsq+cr' } }));
    const started = h.send({ type: 'start' });
    await h.until(isPhase('loading-data'));
    const shape = { height: 6, width: 6, channels: 1 };
    await h.send({ type: 'unlabeled', ids: Int32Array.from([7, 8, 9]), images: new Uint8Array(3 * 36).fill(128), shape });
    data.resolve(tiny);
    await started;
    const pool = h.events.find((e) => e.type === 'pool');
    expect(pool).toMatchObject({ type: 'pool', added: 3, used: true });
    await h.send({ type: 'classify-pool', ids: [8, 99] });
    const p = h.events.at(-1);
    expect(p?.type === 'pool-predictions' && [Array.from(p.predictions.ids), p.predictions.teacher?.length]).toEqual([[8], 1]);
  });

  it('dispose stops the run, frees every variable and closes the Worker', async () => {
    const { h } = await ready();
    await h.send(configure(200));
    const started = h.send({ type: 'start' });
    await h.until(isMetricsFrom(2));
    await Promise.all([started, h.send({ type: 'dispose' })]);
    await turns();
    expect(h.closed).toBe(1);
    expect(tf.memory().numTensors).toBe(0);
    expect(h.errors()).toEqual([]);
    // A closed host ignores what still arrives.
    const from = h.mark();
    await h.send({ type: 'start' });
    expect(h.events.slice(from)).toEqual([]);
    opened = null;
  });
});
