/**
 * The Worker's confusion cells: an evaluation carries the student's and teacher's matrices, a cell's images come
 * back from the predictions that evaluation kept, and another run's predictions for those images line up.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import { initBackend } from '../src/engine/backend/select';
import type { EvalMetrics } from '../src/engine/train/metrics';
import type { WorkerCommand, WorkerEvent } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });

function host(): { events: WorkerEvent[]; send(c: WorkerCommand): Promise<void> } {
  const events: WorkerEvent[] = [];
  const h = new TrainingHost({
    post: (e) => events.push(e as WorkerEvent),
    initBackend: (c) => initBackend(c),
    loadShippedDataset: () => Promise.resolve(tiny),
    close: () => undefined,
  });
  return { events, send: (c) => h.handle(c) };
}

async function trained(method: 'lsq' | 'lsq+cr') {
  const h = host();
  await h.send({ type: 'init', backend: 'cpu' });
  await h.send({
    type: 'configure',
    dataset: SHIPPED_DATASET,
    config: { model: 'mlp-narrow', method, steps: 4, labeled: 40, batchSize: 8, evalEvery: 2, evalSamples: 8, seed: 1 },
    sharpness: { mode: 'off', every: 50 },
  });
  await h.send({ type: 'start' });
  return h;
}

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe('TrainingHost: confusion cells', () => {
  it('evaluations carry the matrices, and a cell opens the images the last evaluation put there', async () => {
    const cr = await trained('lsq+cr');
    const evals = cr.events.flatMap((e) => (e.type === 'eval' ? [e.metrics] : [])) as EvalMetrics[];
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    for (const e of evals) {
      const total = e.confusion!.flat().reduce((a, b) => a + b, 0);
      expect(total).toBe(e.samples);
      expect(e.confusion!.reduce((s, row, i) => s + row[i], 0) / e.samples).toBeCloseTo(e.accuracy, 6);
      expect(e.teacherConfusion!.reduce((s, row, i) => s + row[i], 0) / e.samples).toBeCloseTo(e.teacherAccuracy!, 6);
    }
    const last = evals.at(-1)!;
    // The fullest cell of the last evaluation, so there is something to show.
    let truth = 0;
    let predicted = 0;
    last.confusion!.forEach((row, i) => row.forEach((v, j) => v > last.confusion![truth][predicted] && ((truth = i), (predicted = j))));
    await cr.send({ type: 'confusion-cell', truth, predicted, model: 'student', limit: 3 });
    const opened = cr.events.at(-1)!;
    expect(opened.type).toBe('cell-images');
    if (opened.type !== 'cell-images') return;
    const c = opened.cell;
    expect(c.step).toBe(4);
    expect(c.total).toBe(last.confusion![truth][predicted]);
    expect(c.indices.length).toBe(Math.min(3, c.total));
    for (let k = 0; k < c.indices.length; k++) {
      expect(tiny.test.labels[c.indices[k]]).toBe(truth);
      expect(c.student[k]).toBe(predicted);
      expect(Array.from(c.images.subarray(k * 36, (k + 1) * 36))).toEqual(Array.from(tiny.test.images.subarray(c.indices[k] * 36, (c.indices[k] + 1) * 36)));
    }
    expect(c.teacher?.length).toBe(c.indices.length);

    // The LSQ run's predictions at its own last evaluation, for the same images.
    const lsq = await trained('lsq');
    await lsq.send({ type: 'test-predictions', indices: Array.from(c.indices) });
    const got = lsq.events.at(-1)!;
    expect(got.type).toBe('test-predictions');
    if (got.type !== 'test-predictions') return;
    const p = got.predictions;
    expect(Array.from(p.indices)).toEqual(Array.from(c.indices));
    expect(p.teacher).toBeNull();
    for (const v of p.student) expect(v).toBeGreaterThanOrEqual(0);
    await cr.send({ type: 'reset' });
    await lsq.send({ type: 'reset' });
  });

  it('posts the quantization error per layer after each evaluation', async () => {
    const h = await trained('lsq');
    await new Promise((r) => setTimeout(r, 20));
    const reports = h.events.flatMap((e) => (e.type === 'quant-error' ? [e] : []));
    expect(reports.map((r) => r.step)).toEqual([2, 4]);
    const layers = reports[1].report.layers;
    expect(layers.some((l) => l.kind === 'weight' && l.flipped !== null)).toBe(true);
    expect(layers.some((l) => l.kind === 'activation')).toBe(true);
    expect(reports[1].report.activationHistograms.length).toBe(layers.filter((l) => l.kind === 'activation').length);
    await h.send({ type: 'reset' });
  });

  it('says nothing before the first evaluation', async () => {
    const h = host();
    await h.send({ type: 'init', backend: 'cpu' });
    const n = h.events.length;
    await h.send({ type: 'confusion-cell', truth: 0, predicted: 0, model: 'student', limit: 3 });
    await h.send({ type: 'test-predictions', indices: [0] });
    expect(h.events.length).toBe(n);
  });
});
