import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch } from '../src/engine/augment/augment';
import { NO_AUGMENT, type ResolvedAugment } from '../src/engine/augment/config';
import { initBackend } from '../src/engine/backend/select';
import { lambdaAt } from '../src/engine/cr/lambda-schedule';
import type { Dataset } from '../src/engine/data/types';
import type { TrainConfigInput } from '../src/engine/train/config';
import type { EvalMetrics, StepMetrics } from '../src/engine/train/metrics';
import { TrainingSession } from '../src/engine/train/session';
import { Rng } from '../src/engine/util/rng';
import { syntheticDataset } from './helpers/synthetic-dataset';

beforeAll(async () => {
  const r = await initBackend('wasm');
  expect(r.name).toBe('wasm');
});

const tiny = syntheticDataset({ height: 8, width: 8, channels: 1, classes: 4, train: 200, test: 40 });
const AUG: ResolvedAugment = { translate: 1, flip: true, noise: 0.05, cutout: 2 };

async function run(ds: Dataset, cfg: TrainConfigInput): Promise<{ steps: StepMetrics[]; evals: EvalMetrics[]; weights: Float32Array[] }> {
  const s = new TrainingSession(ds, cfg);
  const steps: StepMetrics[] = [];
  const evals: EvalMetrics[] = [];
  await s.start({ onStep: (m) => steps.push(m), onEval: (m) => evals.push(m) });
  const weights = s.model.params.map((p) => Float32Array.from(p.variable.dataSync() as Float32Array));
  s.dispose();
  return { steps, evals, weights };
}

describe('lsq+cr with λ = 0 is plain LSQ', () => {
  for (const model of ['mlp', 'cnn-small'] as const) {
    it(`${model}: identical per-step losses and final weights, augmentation on`, async () => {
      const base: TrainConfigInput = { model, steps: model === 'mlp' ? 10 : 5, labeled: 40, batchSize: 8, evalEvery: 0, augment: AUG, quant: { wbits: 2, abits: 2 }, seed: 5 };
      const lsq = await run(tiny, { ...base, method: 'lsq' });
      const cr0 = await run(tiny, { ...base, method: 'lsq+cr', cr: { lambda: { max: 0 }, unlabeledRatio: 1 } });
      expect(cr0.steps.map((m) => m.loss)).toEqual(lsq.steps.map((m) => m.loss));
      expect(cr0.steps.every((m) => m.lambda === 0 && m.consistency === 0)).toBe(true);
      expect(cr0.weights.length).toBe(lsq.weights.length);
      cr0.weights.forEach((w, i) => expect(Array.from(w), `param ${i}`).toEqual(Array.from(lsq.weights[i])));
      // The comparison can fail: with λ > 0 the same seed trains differently.
      const cr1 = await run(tiny, { ...base, method: 'lsq+cr', cr: { lambda: { kind: 'constant', max: 1 }, unlabeledRatio: 1 } });
      expect(cr1.steps.map((m) => m.loss)).not.toEqual(lsq.steps.map((m) => m.loss));
    });
  }
});

describe('augmented views', () => {
  const batch = () => tf.tidy(() => tf.tile(tf.reshape(tf.range(1, 17, 1, 'float32'), [1, 4, 4, 1]), [32, 1, 1, 1]) as tf.Tensor4D);

  it('two purposes give different views of the same batch; the same seed and purpose give identical tensors', () => {
    const x = batch();
    const cfg: ResolvedAugment = { translate: 2, flip: true, noise: 0.1, cutout: 2 };
    const a1 = augmentBatch(x, cfg, new Rng(7, 'view-a'));
    const a2 = augmentBatch(x, cfg, new Rng(7, 'view-a'));
    const b = augmentBatch(x, cfg, new Rng(7, 'view-b'));
    const c = augmentBatch(x, cfg, new Rng(8, 'view-a'));
    expect(Array.from(a2.dataSync())).toEqual(Array.from(a1.dataSync()));
    expect(Array.from(b.dataSync())).not.toEqual(Array.from(a1.dataSync()));
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(a1.dataSync()));
    // Views differ image by image, not only in one corner.
    const differing = tf.tidy(() => tf.sum(tf.cast(tf.any(tf.notEqual(a1, b), [1, 2, 3]), 'int32')).dataSync()[0]);
    expect(differing).toBeGreaterThan(24);
    // No augmentation: an exact copy, a new tensor.
    const same = augmentBatch(x, NO_AUGMENT, new Rng(7, 'view-a'));
    expect(same).not.toBe(x);
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, a1, a2, b, c, same]);
  });

  /** out[v][u] = img[v+dy][u+dx], 0 outside. */
  const shift = (img: number[][], dx: number, dy: number) => img.map((row, v) => row.map((_, u) => img[v + dy]?.[u + dx] ?? 0));
  const mirror = (img: number[][]) => img.map((row) => [...row].reverse());
  const same = (a: number[][], b: number[][]) => JSON.stringify(a) === JSON.stringify(b);

  it('translation moves whole pixels (zero fill) and flipping mirrors, on a hand-made image', () => {
    const x = batch();
    const img = (x.arraySync() as number[][][][])[0].map((r) => r.map((p) => p[0]));
    const kinds = (cfg: ResolvedAugment, seed: number) => {
      const out = augmentBatch(x, cfg, new Rng(seed, 'view-a'));
      const imgs = (out.arraySync() as number[][][][]).map((im) => im.map((r) => r.map((p) => p[0])));
      out.dispose();
      return imgs.map((o) => {
        const found: string[] = [];
        for (const f of cfg.flip ? [false, true] : [false]) {
          for (let dy = -cfg.translate; dy <= cfg.translate; dy++) {
            for (let dx = -cfg.translate; dx <= cfg.translate; dx++) if (same(o, shift(f ? mirror(img) : img, dx, dy))) found.push(`${f ? 'flip' : 'keep'} ${dx},${dy}`);
          }
        }
        expect(found.length, `output ${JSON.stringify(o)} is no whole-pixel shift or mirror of the input`).toBe(1);
        return found[0];
      });
    };
    const shifts = new Set(kinds({ ...NO_AUGMENT, translate: 1 }, 1));
    expect(shifts.size).toBeGreaterThanOrEqual(4);
    const flips = new Set(kinds({ ...NO_AUGMENT, flip: true }, 2));
    expect(flips).toEqual(new Set(['keep 0,0', 'flip 0,0']));
    const both = new Set(kinds({ ...NO_AUGMENT, translate: 1, flip: true }, 3));
    expect([...both].some((k) => k.startsWith('flip') && k !== 'flip 0,0')).toBe(true);
    // A single bright pixel at (row 1, col 0), mirrored to col 3 of a 4-wide image.
    const dot = tf.tensor4d([0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0], [1, 3, 4, 1]);
    let sawFlip = false;
    for (let seed = 0; seed < 12; seed++) {
      const o = augmentBatch(dot, { ...NO_AUGMENT, flip: true }, new Rng(seed, 'p'));
      const v = Array.from(o.dataSync());
      o.dispose();
      if (v[4 + 3] === 9) {
        sawFlip = true;
        expect(v).toEqual([0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0]);
      } else expect(v).toEqual([0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]);
    }
    expect(sawFlip).toBe(true);
    tf.dispose([x, dot]);
  });
});

describe('unlabeled pool', () => {
  const small = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 3, train: 60, test: 12 });
  const PX = 36;
  const cfg: TrainConfigInput = { model: 'mlp', method: 'lsq+cr', steps: 3, batchSize: 6, evalEvery: 0, cr: { lambda: { kind: 'constant', max: 1 }, unlabeledRatio: 1 } };

  it('grows when a person adds images of the right size; refuses the wrong size and stays as it was', () => {
    const s = new TrainingSession(small, { ...cfg, labeled: 12 });
    expect(s.unlabeledPool.size).toBe(48);
    expect(s.addUnlabeledImages(new Uint8Array(2 * PX).fill(200))).toBe(50);
    expect(s.unlabeledPool.size).toBe(50);
    expect(s.unlabeledPool.addedCount).toBe(2);
    expect(() => s.addUnlabeledImages(new Uint8Array(PX + 1))).toThrow(/6×6×1 uint8 images \(36 bytes each\); got 37 bytes/);
    expect(() => s.addUnlabeledImages(new Uint8Array(0))).toThrow(RangeError);
    expect(s.unlabeledPool.size).toBe(50);
    expect(s.unlabeledPool.addedCount).toBe(2);
    s.dispose();
  });

  it('is empty when every training image is labeled, until images are added; then batches include them', async () => {
    const s = new TrainingSession(small, { ...cfg, labeled: 60 });
    const ref = new TrainingSession(small, { ...cfg, labeled: 60 });
    expect(s.unlabeledPool.size).toBe(0);
    expect(() => s.unlabeledPool.sample(2, s.norm)).toThrow(/empty/);
    // A CR step without unlabeled images still runs, on the labeled batch alone; twin sessions agree.
    const m1 = await s.stepOnce();
    const r1 = await ref.stepOnce();
    expect(m1.consistency).toBeGreaterThan(0);
    expect(m1.loss).toBe(r1.loss);
    // Two recognisable images: all black and all white.
    const added = new Uint8Array(2 * PX);
    added.fill(255, PX);
    expect(s.addUnlabeledImages(added)).toBe(2);
    const u = s.unlabeledPool.sample(40, s.norm);
    const rows = (u.arraySync() as number[][][][]).map((im) => im.flat(2));
    u.dispose();
    const norm = (px: number) => (px / 255 - s.norm.mean[0]) / s.norm.std[0];
    let black = 0;
    let white = 0;
    for (const r of rows) {
      const isBlack = r.every((v) => Math.abs(v - norm(0)) < 1e-4);
      const isWhite = r.every((v) => Math.abs(v - norm(255)) < 1e-4);
      expect(isBlack || isWhite).toBe(true);
      if (isBlack) black++;
      if (isWhite) white++;
    }
    expect(black).toBeGreaterThan(0);
    expect(white).toBeGreaterThan(0);
    // The session's next step uses them: its consistency term now averages over the added images as well.
    const m2 = await s.stepOnce();
    const r2 = await ref.stepOnce();
    expect(r2.loss).not.toBeNaN();
    expect(m2.consistency).not.toBe(r2.consistency);
    expect(m2.ce).toBe(r2.ce);
    s.dispose();
    ref.dispose();
  });
});

describe('lsq+cr metrics', () => {
  it('streams ce, consistency and λ, with loss = ce + λ·consistency; evaluation reports the teacher', async () => {
    const lambda = { kind: 'step' as const, max: 0.7, rampSteps: 3 };
    const r = await run(tiny, { model: 'mlp', method: 'lsq+cr', steps: 10, labeled: 40, batchSize: 8, evalEvery: 5, evalSamples: 20, cr: { lambda, unlabeledRatio: 0.5 } });
    expect(r.steps).toHaveLength(10);
    for (const m of r.steps) {
      expect(m.lambda, `step ${m.step}`).toBe(lambdaAt(m.step - 1, { ...lambda }));
      expect(m.ce).toBeGreaterThan(0);
      if (m.lambda === 0) {
        expect(m.consistency).toBe(0);
        expect(m.loss).toBe(m.ce);
      } else {
        expect(m.consistency, `step ${m.step}`).toBeGreaterThan(0);
        expect(Math.abs(m.loss - (m.ce + m.lambda * m.consistency)) / m.loss).toBeLessThan(1e-4);
      }
    }
    expect(r.steps.filter((m) => m.lambda > 0)).toHaveLength(7);
    expect(r.evals.map((e) => [e.step, e.samples])).toEqual([
      [5, 20],
      [10, 40],
    ]);
    for (const e of r.evals) {
      expect(e.teacherAccuracy).not.toBeNull();
      expect(e.agreement).not.toBeNull();
      expect(e.teacherAccuracy!).toBeGreaterThanOrEqual(0);
      expect(e.teacherAccuracy!).toBeLessThanOrEqual(1);
      expect(e.agreement!).toBeGreaterThanOrEqual(0);
      expect(e.agreement!).toBeLessThanOrEqual(1);
      // Whole images: counts out of the samples.
      expect(Number.isInteger(Math.round(e.agreement! * e.samples * 1e6) / 1e6)).toBe(true);
    }
    // Plain LSQ has no teacher to report.
    const plain = await run(tiny, { model: 'mlp', method: 'lsq', steps: 2, labeled: 40, batchSize: 8, evalEvery: 0 });
    expect(plain.evals[0].teacherAccuracy).toBeNull();
    expect(plain.evals[0].agreement).toBeNull();
    expect(plain.steps.every((m) => m.lambda === 0 && m.consistency === 0)).toBe(true);
  });
});

describe('memory', () => {
  it('lsq+cr with unlabeled images keeps the tensor count flat (cnn-small): step 30 equals step 5', async () => {
    const s = new TrainingSession(tiny, {
      model: 'cnn-small',
      method: 'lsq+cr',
      steps: 30,
      labeled: 40,
      batchSize: 4,
      evalEvery: 10,
      evalSamples: 8,
      augment: AUG,
      cr: { lambda: { kind: 'sigmoid', max: 1, rampSteps: 10 }, unlabeledRatio: 1, teacher: { decay: 0.9, bnStats: 'own' } },
    });
    // Counted where the loop holds (nothing queued behind the step): 5 asked for, the evaluations, the end.
    const counts = new Map<number, number>();
    await s.start({ holdAfter: (t) => t === 5, afterStep: async (m) => void counts.set(m.step, tf.memory().numTensors) });
    expect([...counts.keys()]).toEqual([5, 10, 20, 30]);
    expect(counts.get(30)).toBe(counts.get(5));
    expect(counts.get(20)).toBe(counts.get(5));
    s.dispose();
  });

  it('lsq+kd distils from a short fp32 run with a flat tensor count; without a teacher it refuses to step', async () => {
    const base: TrainConfigInput = { model: 'cnn-small', labeled: 40, batchSize: 4, evalEvery: 0, seed: 2 };
    const fp = new TrainingSession(tiny, { ...base, method: 'fp32', steps: 3 });
    await fp.start();

    const none = new TrainingSession(tiny, { ...base, method: 'lsq+kd', steps: 5 });
    await expect(none.stepOnce()).rejects.toThrow(/lsq\+kd needs a trained full-precision teacher: call setDistillationTeacher/);
    expect(none.step).toBe(0);
    none.dispose();
    const cr = new TrainingSession(tiny, { ...base, method: 'lsq+cr', steps: 5 });
    expect(() => cr.setDistillationTeacher(fp.model)).toThrow(/only lsq\+kd/);
    cr.dispose();

    const kd = new TrainingSession(tiny, { ...base, method: 'lsq+kd', steps: 20, cr: { lambda: { kind: 'constant', max: 1 }, unlabeledRatio: 1 } });
    kd.setDistillationTeacher(fp.model);
    const counts = new Map<number, number>();
    const metrics: StepMetrics[] = [];
    await kd.start({
      onStep: (m) => void metrics.push(m),
      holdAfter: (t) => t === 5,
      afterStep: async (m) => void counts.set(m.step, tf.memory().numTensors),
    });
    expect([...counts.keys()]).toEqual([5, 20]);
    expect(counts.get(20)).toBe(counts.get(5));
    expect(metrics.every((m) => m.lambda === 1 && m.consistency > 0)).toBe(true);
    kd.dispose();
    // The caller keeps the teacher: still usable after the student's session is gone.
    expect(fp.model.params.every((p) => !p.variable.isDisposed)).toBe(true);
    fp.dispose();
  });
});
