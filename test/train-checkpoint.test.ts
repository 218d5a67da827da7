import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/backend/select';
import { checkpointBuffers, type SessionCheckpoint } from '../src/engine/train/checkpoint';
import type { TrainConfigInput } from '../src/engine/train/config';
import type { StepMetrics } from '../src/engine/train/metrics';
import { TrainingSession } from '../src/engine/train/session';
import { syntheticDataset } from './helpers/synthetic-dataset';

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

const ds = syntheticDataset({ height: 8, width: 8, channels: 1, classes: 4, train: 160, test: 40 });
const STEPS = 12;
// Every random part on: both views, noise, cutout, the unlabeled batch; BatchNorm in the conv model.
const base: TrainConfigInput = {
  steps: STEPS,
  labeled: 40,
  batchSize: 8,
  evalEvery: 4,
  evalSamples: 20,
  augment: { translate: 1, flip: 'auto', noise: 0.1, cutout: 2 },
  quant: { wbits: 2, abits: 2, firstLastBits: 2 },
  cr: { lambda: { kind: 'sigmoid', max: 1, rampSteps: 6 }, unlabeledRatio: 1 },
  seed: 3,
};

async function losses(session: TrainingSession, until: number): Promise<StepMetrics[]> {
  const out: StepMetrics[] = [];
  while (session.step < until) out.push(await session.stepOnce({ onStep: () => {} }));
  return out;
}

/** A round trip through structured cloning, as a checkpoint makes through postMessage and IndexedDB. */
const cloned = (c: SessionCheckpoint): SessionCheckpoint => structuredClone(c);

describe('a run resumed from a checkpoint', () => {
  const cases: [string, TrainConfigInput][] = [
    ['mlp, lsq+cr, sgd', { ...base, model: 'mlp', method: 'lsq+cr' }],
    ['cnn-tiny, lsq+cr, adam', { ...base, model: 'cnn-tiny', method: 'lsq+cr', optimizer: { name: 'adam' }, lr: 0.003 }],
    ['mlp, lsq, interrupted before its first step', { ...base, model: 'mlp', method: 'lsq' }],
  ];
  for (const [name, cfg] of cases) {
    it(`${name}: ends with every loss, accuracy and weight of the uninterrupted run`, async () => {
      const k = name.includes('before its first step') ? 0 : 5;
      const whole = new TrainingSession(ds, cfg);
      const expected = await losses(whole, STEPS);
      const finalWeights = whole.model.params.map((p) => Array.from(p.variable.dataSync()));
      const finalEval = await whole.evaluate();
      whole.dispose();

      const first = new TrainingSession(ds, cfg);
      const before = await losses(first, k);
      const cp = cloned(await first.checkpoint());
      first.dispose();
      const resumed = new TrainingSession(ds, cfg);
      resumed.restore(cp);
      expect(resumed.step).toBe(k);
      const after = await losses(resumed, STEPS);
      const strip = (m: StepMetrics) => ({ ...m, msPerStep: 0 });
      expect([...before, ...after].map(strip)).toEqual(expected.map(strip));
      expect(resumed.model.params.map((p) => Array.from(p.variable.dataSync()))).toEqual(finalWeights);
      const evalAfter = await resumed.evaluate();
      expect(evalAfter.accuracy).toBe(finalEval.accuracy);
      expect(evalAfter.teacherAccuracy).toBe(finalEval.teacherAccuracy);
      expect(resumed.state).toBe('done');
      resumed.dispose();
    });
  }

  it('keeps the settings changed mid-run: one applied before the checkpoint and one still to come, each once', async () => {
    const cfg: TrainConfigInput = { ...base, model: 'mlp', method: 'lsq+cr' };
    const schedule = (s: TrainingSession) => {
      s.changeSettings({ lr: 0.02, emaDecay: 0.9 }, 3);
      s.changeSettings({ lambdaMax: 2.5 }, 9);
    };
    const whole = new TrainingSession(ds, cfg);
    schedule(whole);
    const expected = await losses(whole, STEPS);
    const expectedChanges = whole.settingsChanges.map((c) => ({ ...c }));
    whole.dispose();
    expect(expectedChanges.map((c) => c.step)).toEqual([3, 9]);

    const first = new TrainingSession(ds, cfg);
    schedule(first);
    const before = await losses(first, 6);
    const cp = cloned(await first.checkpoint());
    first.dispose();
    // The checkpoint names the run's settings as it started, so it restores into a session of the same link.
    expect(cp.config.lr).toBe(new TrainingSession(ds, cfg).config.lr);
    expect(cp.settingsChanges?.applied.map((c) => c.step)).toEqual([3]);
    expect(cp.settingsChanges?.pending.map((c) => c.step)).toEqual([9]);
    const resumed = new TrainingSession(ds, cfg);
    // The reopened link sends its changes again before the restore: they must not apply twice.
    schedule(resumed);
    resumed.restore(cp);
    expect(resumed.config.lr).toBe(0.02);
    expect(resumed.teacher?.cfg.decay).toBe(0.9);
    const after = await losses(resumed, STEPS);
    const strip = (m: StepMetrics) => ({ ...m, msPerStep: 0 });
    expect([...before, ...after].map(strip)).toEqual(expected.map(strip));
    expect(resumed.settingsChanges).toEqual(expectedChanges);
    resumed.dispose();
  });

  it('refuses a checkpoint of other settings, or into a session that has stepped, and leaks no tensor', async () => {
    const cfg = { ...base, model: 'mlp' as const, method: 'lsq+cr' as const };
    const s = new TrainingSession(ds, cfg);
    await losses(s, 2);
    const before = tf.memory().numTensors;
    const cp = await s.checkpoint();
    expect(tf.memory().numTensors).toBe(before);
    expect(checkpointBuffers(cp).length).toBeGreaterThan(5);
    expect(() => s.restore(cp)).toThrow(/fresh session/);
    s.dispose();
    const other = new TrainingSession(ds, { ...cfg, lr: 0.01 });
    expect(() => other.restore(cp)).toThrow(/other settings/);
    expect(() => other.restore({ ...cp, format: 'x' } as unknown as SessionCheckpoint)).toThrow(/not a checkpoint/);
    other.dispose();
    const fresh = new TrainingSession(ds, cfg);
    const t0 = tf.memory().numTensors;
    fresh.restore(cp);
    await losses(fresh, 4);
    fresh.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(t0);
  });
});
