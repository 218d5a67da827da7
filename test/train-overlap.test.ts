import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/backend/select';
import type { TrainConfigInput } from '../src/engine/train/config';
import type { EvalMetrics, StepMetrics } from '../src/engine/train/metrics';
import { TrainingSession } from '../src/engine/train/session';
import { syntheticDataset } from './helpers/synthetic-dataset';

const ds = syntheticDataset({ height: 8, width: 8, channels: 1, classes: 3, train: 240, test: 30 });
const cfg: TrainConfigInput = {
  model: 'mlp',
  method: 'lsq+cr',
  steps: 12,
  labeled: 120,
  batchSize: 16,
  evalEvery: 5,
  evalSamples: 30,
  quant: { wbits: 3, abits: 3 },
  cr: { lambda: { max: 1, rampSteps: 4 } },
};

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

/** The numbers a run reports, without the times. */
function numbers(m: StepMetrics) {
  const { msPerStep: _ms, ...rest } = m;
  return rest;
}

async function weights(s: TrainingSession): Promise<number[]> {
  const out: number[] = [];
  for (const p of s.model.params) out.push(...(await p.variable.data()));
  return out;
}

async function run(overlap: boolean) {
  const s = new TrainingSession(ds, cfg);
  const steps: StepMetrics[] = [];
  const evals: EvalMetrics[] = [];
  const order: string[] = [];
  await s.start(
    {
      onQueued: (t) => order.push(`queued ${t}`),
      onStep: (m) => {
        order.push(`done ${m.step}`);
        steps.push(m);
      },
      onEval: (e) => evals.push(e),
    },
    { overlap },
  );
  const w = await weights(s);
  s.dispose();
  return { steps, evals, order, w };
}

describe('a training loop that queues step t+1 before reading step t back', () => {
  it('reports the same numbers, evaluations and final weights as one that reads every step before the next', async () => {
    const a = await run(true);
    const b = await run(false);
    expect(a.steps.map(numbers)).toEqual(b.steps.map(numbers));
    expect(a.evals).toEqual(b.evals);
    expect(a.w).toEqual(b.w);
    expect(a.steps.map((m) => m.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('does queue ahead, except before an evaluation and at the end', async () => {
    const { order } = await run(true);
    // Step 2 is queued before step 1 is reported; step 5 (an evaluation) is reported before step 6 is queued.
    expect(order.indexOf('queued 2')).toBeLessThan(order.indexOf('done 1'));
    expect(order.indexOf('done 5')).toBeLessThan(order.indexOf('queued 6'));
    expect(order.indexOf('done 10')).toBeLessThan(order.indexOf('queued 11'));
    const serial = (await run(false)).order;
    expect(serial.indexOf('done 1')).toBeLessThan(serial.indexOf('queued 2'));
  });

  it('runs afterStep only where holdAfter asks, on the model as that step left it', async () => {
    // The reference: a run stepped one at a time, its weights after every step.
    const ref = new TrainingSession(ds, cfg);
    const refWeights: number[][] = [];
    for (let i = 0; i < 12; i++) {
      await ref.trainStep();
      refWeights.push(await weights(ref));
    }
    ref.dispose();
    const s = new TrainingSession(ds, cfg);
    const seen: { step: number; w: number[] }[] = [];
    await s.start({ holdAfter: (t) => t === 3 || t === 8, afterStep: async (m) => void seen.push({ step: m.step, w: await weights(s) }) });
    s.dispose();
    // 3 and 8 asked for, 5 and 10 hold for the evaluation, 12 is the end.
    expect(seen.map((x) => x.step)).toEqual([3, 5, 8, 10, 12]);
    for (const x of seen) expect(x.w).toEqual(refWeights[x.step - 1]);
  });

  it('a pause leaves no step queued: the step count matches the model, and resuming ends where an unpaused run ends', async () => {
    const whole = await run(true);
    const s = new TrainingSession(ds, cfg);
    const steps: StepMetrics[] = [];
    const listener = {
      onStep: (m: StepMetrics) => {
        steps.push(m);
        if (m.step === 2) void s.pause();
      },
    };
    await s.start(listener);
    expect(s.state).toBe('paused');
    // Step 3 was already queued when step 2 was reported; it finished, and counts.
    expect(s.step).toBe(steps.length);
    const cp = await s.checkpoint();
    expect(cp.step).toBe(s.step);
    await s.resume(listener);
    expect(steps.map(numbers)).toEqual(whole.steps.map(numbers));
    expect(await weights(s)).toEqual(whole.w);
    s.dispose();
  });

  it('a settings change is not overtaken: both loops apply it at the step asked for', async () => {
    const go = async (overlap: boolean) => {
      const s = new TrainingSession(ds, { ...cfg, evalEvery: 0 });
      s.changeSettings({ lr: 0.01 }, 4);
      const lrs: number[] = [];
      await s.start({ onStep: (m) => lrs.push(m.lr) }, { overlap });
      expect(s.settingsChanges.map((c) => c.step)).toEqual([4]);
      s.dispose();
      return lrs;
    };
    const a = await go(true);
    expect(a).toEqual(await go(false));
    expect(a[3]).not.toBe(a[2]);
  });

  it('keeps the tensor count flat while it queues ahead', async () => {
    const s = new TrainingSession(ds, { ...cfg, steps: 40, evalEvery: 0 });
    const counts: number[] = [];
    // The last step has no step queued behind it (one scalar tensor fewer); every other step has one.
    await s.start({ onStep: (m) => void (m.step > 2 && m.step < 40 && counts.push(tf.memory().numTensors)) });
    s.dispose();
    expect(counts).toHaveLength(37);
    expect(new Set(counts).size).toBe(1);
  });

  it('a diverging run fails at the step whose loss was not finite, with the step queued behind it released', async () => {
    const s = new TrainingSession(ds, { ...cfg, method: 'lsq', lr: 1e30, evalEvery: 0, steps: 20 });
    const before = tf.memory().numTensors;
    await expect(s.start()).rejects.toThrow(/diverged/);
    expect(s.state).toBe('failed');
    const stepAtFailure = s.step;
    expect(stepAtFailure).toBeGreaterThan(0);
    expect(stepAtFailure).toBeLessThan(20);
    s.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });
});
