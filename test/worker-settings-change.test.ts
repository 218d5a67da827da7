/**
 * Settings changed mid-run: runs paused at different steps get the change from the same step, it shows in what
 * they train with from that step on, each run reports it, and it reaches the export.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeChanges, encodeChanges } from '../src/config/changes-hash';
import { DEFAULT_CONFIG, SHIPPED_DATASET } from '../src/config/playground-config';
import { decodeConfig } from '../src/config/url-hash';
import { initBackend } from '../src/engine/backend/select';
import { lambdaAt } from '../src/engine/cr/lambda-schedule';
import { cosineLr } from '../src/engine/train/lr-schedule';
import { checkSettingsChange, describeSettingsChange } from '../src/engine/vocabulary/settings-change';
import { metricsJson } from '../src/export/metrics-export';
import { MetricLog } from '../src/store/metric-log';
import type { WorkerCommand, WorkerEvent } from '../src/worker/protocol';
import { TrainingHost } from '../src/worker/training-host';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });
const STEPS = 8;
const LAMBDA = { kind: 'linear' as const, max: 1, rampSteps: 4 };

function host(): { events: WorkerEvent[]; send(c: WorkerCommand): Promise<void> } {
  const events: WorkerEvent[] = [];
  const h = new TrainingHost({
    // The generation stamp is another test's subject.
    post: ({ gen: _gen, ...e }) => events.push(e as WorkerEvent),
    initBackend: (c) => initBackend(c),
    loadShippedDataset: () => Promise.resolve(tiny),
    close: () => undefined,
  });
  return { events, send: (c) => h.handle(c) };
}

async function configured(method: 'lsq' | 'lsq+cr') {
  const h = host();
  await h.send({ type: 'init', backend: 'cpu' });
  await h.send({
    type: 'configure',
    dataset: SHIPPED_DATASET,
    config: { model: 'mlp-narrow', method, steps: STEPS, labeled: 40, batchSize: 8, evalEvery: 0, seed: 1, lr: 0.05, cr: { lambda: LAMBDA } },
    sharpness: { mode: 'off', every: 50 },
  });
  return h;
}

const metric = (events: WorkerEvent[], field: 'lr' | 'lambda') =>
  new Map(events.flatMap((e) => (e.type === 'metrics' ? Array.from(e.batch.step, (s, i) => [s, e.batch[field][i]] as const) : [])));

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe('settings changed mid-run', () => {
  it('reach both runs at the same step, whatever step each was paused at', async () => {
    const lsq = await configured('lsq');
    const cr = await configured('lsq+cr');
    // Paused at different steps: LSQ at 2, LSQ+CR at 4; the page applies the change from the step after the furthest.
    for (let i = 0; i < 2; i++) await lsq.send({ type: 'step' });
    for (let i = 0; i < 4; i++) await cr.send({ type: 'step' });
    const change = { lr: 0.2, lambdaMax: 4, emaDecay: 0.9 };
    for (const h of [lsq, cr]) await h.send({ type: 'change-settings', change, fromStep: 5 });
    for (const h of [lsq, cr]) await h.send({ type: 'start' });
    for (const h of [lsq, cr]) {
      const reported = h.events.flatMap((e) => (e.type === 'settings-change' ? [e] : []));
      expect(reported).toEqual([{ type: 'settings-change', step: 5, change }]);
      // Before step 5 the old schedule, from step 5 the new base rate (step k uses t = k − 1).
      const lr = metric(h.events, 'lr');
      expect(lr.size).toBe(STEPS);
      for (const [step, v] of lr) expect(v).toBeCloseTo(cosineLr(step - 1, STEPS, step < 5 ? 0.05 : 0.2), 6);
    }
    const lambda = metric(cr.events, 'lambda');
    for (const [step, v] of lambda) expect(v).toBeCloseTo(lambdaAt(step - 1, { ...LAMBDA, max: step < 5 ? 1 : 4 }), 6);
    await lsq.send({ type: 'reset' });
    await cr.send({ type: 'reset' });
  });

  it('are checked before they are sent, and named for markers', () => {
    expect(checkSettingsChange({ lr: 0 })).toMatch(/learning rate/);
    expect(checkSettingsChange({ emaDecay: 1 })).toMatch(/EMA/);
    expect(checkSettingsChange({})).toMatch(/nothing/);
    expect(checkSettingsChange({ lambdaMax: 2 })).toBeNull();
    expect(describeSettingsChange({ lambdaMax: 2, lr: 0.01 })).toBe('λ_max 2, lr 0.01');
  });

  it('appear in the exported JSON, per run', () => {
    const changes = [{ step: 5, change: { lr: 0.2 } }];
    const json = metricsJson(DEFAULT_CONFIG, 'http://x/#a', [
      { id: 'lsq', log: new MetricLog(), evals: [], backend: null, batchSize: 8, settingsChanges: changes },
      { id: 'lsq+cr', log: new MetricLog(), evals: [], backend: null, batchSize: 8, settingsChanges: changes },
    ]);
    expect(json.runs.map((r) => r.settingsChanges)).toEqual([changes, changes]);
  });

  it('travel in links: written with their steps, read back, bad parts left out with a note', () => {
    const list = [
      { step: 120, change: { lambdaMax: 2, lr: 0.01 } },
      { step: 300, change: { emaDecay: 0.99 } },
    ];
    const text = encodeChanges(list);
    expect(text).toBe('120:lambda=2,lr=0.01;300:ema=0.99');
    expect(decodeChanges(text)).toEqual({ changes: list, notes: [] });
    const bad = decodeChanges('0:lr=1;50:lr=-1;60:speed=2;70:lr=0.1');
    expect(bad.changes).toEqual([{ step: 70, change: { lr: 0.1 } }]);
    expect(bad.notes.length).toBe(3);
    // The page's config reader knows the parameter and leaves it to them.
    const params = new URLSearchParams({ steps: '60', changes: text }).toString();
    expect(decodeConfig(params).notes).toEqual([]);
  });
});
