/**
 * The Worker's per-layer eigenvalue command, driven through the host in Node on the cpu backend: one finite entry per
 * layer, stamped with the run's generation, the weights as trained afterwards, and a pause that stops it midway.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import { initBackend } from '../src/engine/backend/select';
import type { StampedEvent, WorkerCommand, WorkerEvent } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });

function configure(steps: number, gen: number, sharpness: 'off' | 'cheap' = 'off'): WorkerCommand {
  return {
    type: 'configure',
    dataset: SHIPPED_DATASET,
    config: { model: 'mlp-narrow', steps, labeled: 40, batchSize: 8, evalEvery: 3, evalSamples: 8, seed: 1 },
    sharpness: { mode: sharpness, every: 2 },
    gen,
  };
}

function harness() {
  const posted: StampedEvent[] = [];
  const waiters: { pred: (e: StampedEvent) => boolean; resolve: () => void }[] = [];
  const host = new TrainingHost({
    post: (e) => {
      posted.push(e);
      for (const w of [...waiters]) if (w.pred(e)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
    },
    initBackend: (c) => initBackend(c),
    loadShippedDataset: () => Promise.resolve(tiny),
    close: () => undefined,
  });
  return {
    posted,
    send: (cmd: WorkerCommand) => host.handle(cmd),
    until: (pred: (e: StampedEvent) => boolean) => new Promise<void>((resolve) => (posted.some(pred) ? resolve() : waiters.push({ pred, resolve }))),
    labels: (from: number) => posted.slice(from).flatMap((e) => (e.type === 'phase' ? [`phase:${e.phase}`] : e.type === 'layer-eigenvalues' || e.type === 'error' ? [e.type] : [])),
  };
}

const modelText = (e: WorkerEvent | undefined) => (e?.type === 'model-file' ? e.text : null);

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe("TrainingHost: 'layer-eigenvalues'", () => {
  it('says the run has not trained before its first step', async () => {
    const h = harness();
    await h.send({ type: 'init', backend: 'cpu' });
    await h.send(configure(4, 1));
    await h.send({ type: 'layer-eigenvalues', samples: 16 });
    const err = h.posted.find((e) => e.type === 'error');
    expect(err?.type === 'error' && err.message).toMatch(/per-layer eigenvalues: the run has not trained yet/);
    await h.send({ type: 'dispose' });
  });

  it('returns one finite entry per layer, stamped with the generation, and leaves the weights and tensors as trained', async () => {
    const h = harness();
    await h.send({ type: 'init', backend: 'cpu' });
    await h.send(configure(4, 7, 'cheap'));
    await h.send({ type: 'start' });
    await h.send({ type: 'export-model' });
    const before = modelText(h.posted.at(-1));
    expect(before).not.toBeNull();
    const tensors = tf.memory().numTensors;
    const from = h.posted.length;
    await h.send({ type: 'layer-eigenvalues', samples: 16 });
    expect(h.labels(from)).toEqual(['phase:hessian', 'layer-eigenvalues', 'phase:done']);
    const e = h.posted.find((p, i) => i >= from && p.type === 'layer-eigenvalues');
    if (e?.type !== 'layer-eigenvalues') throw new Error('no layer-eigenvalues event');
    expect(e.gen).toBe(7);
    expect(e.step).toBe(4);
    expect(e.spectrum.samples).toBe(16);
    expect(e.spectrum.layers.map((l) => [l.layer, l.dim])).toEqual([
      ['fc1', 36 * 64 + 64],
      ['fc2', 64 * 64 + 64],
      ['fc3', 64 * 4 + 4],
    ]);
    for (const l of e.spectrum.layers) {
      expect(Number.isFinite(l.value), l.layer).toBe(true);
      expect(Number.isFinite(l.spread) && l.spread >= 0, l.layer).toBe(true);
      expect(l.iterations).toBeGreaterThan(1);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    await h.send({ type: 'export-model' });
    expect(modelText(h.posted.at(-1))).toBe(before);
    // The live estimates posted while it trained carried their spread too.
    const sharp = h.posted.flatMap((p) => (p.type === 'sharpness' ? [p.estimate] : []));
    expect(sharp.map((s) => s.step)).toEqual([2, 4]);
    for (const s of sharp) expect(Number.isFinite(s.spread) && s.spread >= 0).toBe(true);
    await h.send({ type: 'dispose' });
  });

  it('a pause stops it between two products: no result, the run paused', async () => {
    const h = harness();
    await h.send({ type: 'init', backend: 'cpu' });
    await h.send(configure(6, 1));
    await h.send({ type: 'step' });
    await h.send({ type: 'step' });
    const tensors = tf.memory().numTensors;
    const from = h.posted.length;
    const measuring = h.send({ type: 'layer-eigenvalues', samples: 64 });
    await h.until((e) => e.type === 'phase' && e.phase === 'hessian');
    await Promise.all([measuring, h.send({ type: 'pause' })]);
    expect(h.labels(from)).toEqual(['phase:hessian', 'phase:paused', 'phase:paused']);
    expect(tf.memory().numTensors).toBe(tensors);
    await h.send({ type: 'dispose' });
  });
});
