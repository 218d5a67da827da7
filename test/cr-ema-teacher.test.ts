import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { consistencyLoss } from '../src/engine/cr/consistency-loss';
import { EmaTeacher, emaDecayAt, type TeacherConfig } from '../src/engine/cr/ema-teacher';
import { buildModel, EVAL_CTX, TRAIN_CTX, type Model, type ModelName } from '../src/engine/models';
import { CALIBRATE_CTX } from '../src/engine/models/types';
import { TrainingSession } from '../src/engine/train/session';
import { syntheticDataset } from './helpers/synthetic-dataset';

// cpu: every op is one float32 rounding of an exact double result, so the EMA can be checked bit for bit.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const QUANT = { wbits: 4, abits: 4, firstLastBits: 8, perChannel: false };

function student(name: ModelName = 'mlp', inputShape: [number, number, number] = [2, 2, 1]): Model {
  const m = buildModel({ name, inputShape, numClasses: 3, quant: QUANT, seed: 0 });
  // Give the activation quantizers their data-dependent steps, as a session does before building the teacher.
  tf.tidy(() => {
    m.forward(tf.randomNormal([4, ...inputShape], 0, 1, 'float32', 1) as tf.Tensor4D, CALIBRATE_CTX);
  });
  return m;
}

/** Known, distinct values for parameter j at "time" k (steps stay positive). */
function known(size: number, j: number, k: number, positive: boolean): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = (((i * 7 + j * 13 + k * 5) % 17) - 8) / 8 + 0.3 * k + 0.01 * j;
    out[i] = positive ? Math.abs(v) + 0.05 : v;
  }
  return out;
}

function setStudent(m: Model, k: number): Float32Array[] {
  return m.params.map((p, j) => {
    const v = known(p.variable.size, j, k, p.kind === 'step');
    p.variable.assign(tf.tensor(v, p.variable.shape));
    return v;
  });
}

const values = (m: Model) => m.params.map((p) => p.variable.dataSync() as Float32Array);
const byName = (m: Model) => new Map(m.params.map((p) => [p.name, p.variable.dataSync() as Float32Array]));

/** θ_T ← a·θ_T + (1−a)·θ_S, rounded to float32 the way the backend does it. */
function ema(t: Float32Array, s: Float32Array, a: number): Float32Array {
  const fa = Math.fround(a);
  const fb = Math.fround(1 - a);
  return t.map((tv, i) => Math.fround(Math.fround(tv * fa) + Math.fround(s[i] * fb)));
}

function expectSame(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) expect(actual[i], `${what}[${i}]`).toBe(expected[i]);
  }
}

describe('EmaTeacher', () => {
  const cfg: TeacherConfig = { decay: 0.7, quantized: true, bnStats: 'copy' };

  it('warms up with a_t = min(a, (1+t)/(10+t)): a short warm-up, not a uniform average of the run', () => {
    const s = student();
    const t = new EmaTeacher(s, cfg);
    expect([0, 1, 2, 3, 19, 20, 100].map((i) => t.decayAt(i))).toEqual([0.1, 2 / 11, 0.25, 4 / 13, 20 / 29, 0.7, 0.7]);
    expect(emaDecayAt(0, 0.99)).toBe(0.1);
    const t2 = new EmaTeacher(s, { ...cfg, decay: 0.999 });
    expect(t2.decayAt(9)).toBe(10 / 19);
    expect(t2.decayAt(999)).toBe(1000 / 1009);
    expect(t2.decayAt(9000)).toBe(0.999);
    // Mean Teacher's min(1 − 1/(t+1), a) had a_299 = 0.99667 at a = 0.999: a uniform average of 300 iterates. This one
    // averages about the last (10+t)/9 ≈ 34 there.
    expect(1 / (1 - t2.decayAt(299))).toBeCloseTo(309 / 9, 9);
    t.dispose();
    t2.dispose();
    s.dispose();
  });

  it('starts as a copy and follows θ_T ← a_t·θ_T + (1−a_t)·θ_S exactly, step sizes included', () => {
    const s = student();
    const init = setStudent(s, 0);
    const t = new EmaTeacher(s, cfg);
    // The constructor copies the student.
    values(t.model).forEach((v, j) => expectSame(v, init[j], `copy ${t.model.params[j].name}`));
    // Same parameter names and order, LSQ steps among them (a quantized teacher).
    expect(t.model.params.map((p) => p.name)).toEqual(s.params.map((p) => p.name));
    const steps = t.model.params.filter((p) => p.kind === 'step').map((p) => p.name);
    expect(steps).toEqual(expect.arrayContaining(['fc1/w.step', 'fc2/w.step', 'fc2/in.step', 'fc3/w.step', 'fc3/in.step']));

    let expected = init;
    const as = [0.1, 2 / 11, 0.25, 4 / 13, 5 / 14];
    for (let k = 1; k <= as.length; k++) {
      const sv = setStudent(s, k);
      t.update();
      expected = expected.map((e, j) => ema(e, sv[j], as[k - 1]));
      const got = values(t.model);
      got.forEach((v, j) => expectSame(v, expected[j], `update ${k} ${t.model.params[j].name}`));
    }
    // Spot checks against plain arithmetic (no float32 emulation): element 0 of the first step size.
    const j = t.model.params.findIndex((p) => p.name === 'fc1/w.step');
    const sv = (k: number) => Math.fround(known(1, j, k, true)[0]);
    // From the copy S0: t=0 → 0.1·T + 0.9·S1; t=1 → (2/11)·T + (9/11)·S2; t=2 → ¼T + ¾S3; t=3 → (4/13)T + (9/13)S4; t=4 → (5/14)T + (9/14)S5.
    let hand = sv(0);
    hand = 0.1 * hand + 0.9 * sv(1);
    hand = (2 / 11) * hand + (9 / 11) * sv(2);
    hand = 0.25 * hand + 0.75 * sv(3);
    hand = (4 / 13) * hand + (9 / 13) * sv(4);
    hand = (5 / 14) * hand + (9 / 14) * sv(5);
    expect(values(t.model)[j][0]).toBeCloseTo(hand, 6);
    // The student was not touched by the teacher.
    values(s).forEach((v, i) => expectSame(v, Float32Array.from(known(v.length, i, 5, s.params[i].kind === 'step'), Math.fround), 'student'));
    t.dispose();
    s.dispose();
  });

  it('a full-precision teacher has no step sizes and averages the weights it has', () => {
    const s = student();
    const init = setStudent(s, 0);
    const t = new EmaTeacher(s, { ...cfg, quantized: false });
    expect(t.model.spec.quant).toMatchObject({ wbits: 32, abits: 32, firstLastBits: 32 });
    expect(t.model.params.filter((p) => p.kind === 'step')).toEqual([]);
    expect(t.model.params.map((p) => p.name)).toEqual(s.params.filter((p) => p.kind !== 'step').map((p) => p.name));
    const sIndex = new Map(s.params.map((p, j) => [p.name, j]));
    let expected = t.model.params.map((p) => init[sIndex.get(p.name)!]);
    for (let k = 1; k <= 3; k++) {
      const sv = setStudent(s, k);
      t.update();
      expected = expected.map((e, i) => ema(e, sv[sIndex.get(t.model.params[i].name)!], t.decayAt(k - 1)));
      values(t.model).forEach((v, i) => expectSame(v, expected[i], `fp teacher update ${k} ${t.model.params[i].name}`));
    }
    // Its forward is not quantized: a logit differs from the quantized student's on the same weights.
    const x = tf.tensor4d([0.3, -1.2, 0.77, 2.1], [1, 2, 2, 1]);
    const zt = tf.tidy(() => t.model.forward(x, EVAL_CTX));
    const zs = tf.tidy(() => s.forward(x, EVAL_CTX));
    expect(Array.from(zt.dataSync())).not.toEqual(Array.from(zs.dataSync()));
    tf.dispose([x, zt, zs]);
    t.dispose();
    s.dispose();
  });

  it("'copy' takes the student's BatchNorm running statistics on every update; 'own' keeps its own", () => {
    const s = student('cnn-small', [4, 4, 1]);
    expect(s.buffers.length).toBe(6);
    const copy = new EmaTeacher(s, { decay: 0.9, quantized: true, bnStats: 'copy' });
    const own = new EmaTeacher(s, { decay: 0.9, quantized: true, bnStats: 'own' });
    expect(copy.forwardContext).toEqual(EVAL_CTX);
    expect(own.forwardContext).toMatchObject({ training: true, updateStats: true, calibrate: false });
    const bufs = (m: Model) => new Map(m.buffers.map((b) => [b.name, b.variable.dataSync() as Float32Array]));
    const initial = bufs(s);
    // Move the student's running averages.
    for (let i = 0; i < 2; i++) {
      tf.tidy(() => {
        s.forward(tf.randomNormal([5, 4, 4, 1], 1, 2, 'float32', 10 + i) as tf.Tensor4D, TRAIN_CTX);
      });
    }
    const moved = bufs(s);
    expect(Array.from(moved.get('bn1/mean')!)).not.toEqual(Array.from(initial.get('bn1/mean')!));
    copy.update();
    own.update();
    for (const [name, v] of bufs(copy.model)) expectSame(v, moved.get(name)!, `copy ${name}`);
    for (const [name, v] of bufs(own.model)) expectSame(v, initial.get(name)!, `own ${name}`);
    // A teacher forward in its own context moves only its own statistics, never the student's.
    tf.tidy(() => {
      own.model.forward(tf.randomNormal([5, 4, 4, 1], -1, 3, 'float32', 20) as tf.Tensor4D, own.forwardContext);
      copy.model.forward(tf.randomNormal([5, 4, 4, 1], -1, 3, 'float32', 21) as tf.Tensor4D, copy.forwardContext);
    });
    expect(Array.from(bufs(own.model).get('bn2/var')!)).not.toEqual(Array.from(initial.get('bn2/var')!));
    for (const [name, v] of bufs(copy.model)) expectSame(v, moved.get(name)!, `copy after its own forward ${name}`);
    for (const [name, v] of bufs(s)) expectSame(v, moved.get(name)!, `student ${name}`);
    copy.dispose();
    own.dispose();
    s.dispose();
  });

  it('teacher variables are not trainable: a gradient over all variables leaves them out', () => {
    const s = student();
    const t = new EmaTeacher(s, cfg);
    // Make them differ so the consistency term is not trivially at its minimum.
    setStudent(s, 3);
    expect(t.model.params.every((p) => !p.variable.trainable)).toBe(true);
    expect(t.model.buffers.every((b) => !b.variable.trainable)).toBe(true);
    const x = tf.randomNormal([6, 2, 2, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const { value, grads } = tf.variableGrads(() => {
      const zs = s.forward(x, TRAIN_CTX);
      const zt = t.model.forward(x, t.forwardContext);
      return tf.add(tf.losses.softmaxCrossEntropy(y, zs), consistencyLoss(zt, zs, 'kl', 2)) as tf.Scalar;
    });
    const teacherNames = new Set(t.model.params.map((p) => p.variable.name));
    const studentNames = s.params.map((p) => p.variable.name);
    expect(Object.keys(grads).filter((n) => teacherNames.has(n))).toEqual([]);
    // The student's weights all get one.
    for (const p of s.params.filter((q) => q.kind === 'weight')) expect(grads[p.variable.name], p.name).toBeDefined();
    expect(Object.keys(grads).every((n) => studentNames.includes(n))).toBe(true);
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([value, x, y, ...Object.values(grads)]);
    t.dispose();
    s.dispose();
  });

  it('in an lsq+cr session, the teacher moves only by the EMA of the student after each step', async () => {
    const ds = syntheticDataset({ height: 4, width: 4, channels: 1, classes: 3, train: 60, test: 12 });
    const decay = 0.6;
    const s = new TrainingSession(ds, {
      model: 'cnn-small',
      method: 'lsq+cr',
      steps: 4,
      labeled: 24,
      batchSize: 4,
      evalEvery: 0,
      cr: { lambda: { kind: 'constant', max: 2 }, unlabeledRatio: 1, teacher: { decay, quantized: true, bnStats: 'copy' } },
    });
    expect(s.teacher).toBeNull();
    // Weights before the first step: the teacher starts as their copy (activation steps are calibrated in the step).
    const start = byName(s.model);
    const first = await s.stepOnce();
    expect(first.consistency).toBeGreaterThan(0);
    const t = s.teacher!;
    expect(t).not.toBeNull();
    // Update 0 has a = 0.1: the teacher is 0.1·(initial student) + 0.9·(student after the step).
    const afterFirst = byName(s.model);
    for (const [name, v] of byName(t.model)) {
      if (!name.endsWith('in.step')) expectSame(v, ema(start.get(name)!, afterFirst.get(name)!, 0.1), `after step 1: ${name}`);
    }
    for (let k = 2; k <= 4; k++) {
      const before = byName(t.model);
      const m = await s.stepOnce();
      expect(m.consistency).toBeGreaterThan(0);
      const a = emaDecayAt(k - 1, decay);
      const after = byName(s.model);
      for (const [name, v] of byName(t.model)) expectSame(v, ema(before.get(name)!, after.get(name)!, a), `after step ${k}: ${name}`);
      // BatchNorm statistics are the student's.
      for (let i = 0; i < t.model.buffers.length; i++) {
        expectSame(t.model.buffers[i].variable.dataSync() as Float32Array, s.model.buffers[i].variable.dataSync() as Float32Array, `buffer ${t.model.buffers[i].name}`);
      }
      // The teacher is not the student: the EMA lags behind.
      expect(Array.from(byName(t.model).get('conv1/w')!)).not.toEqual(Array.from(after.get('conv1/w')!));
    }
    s.dispose();
  });
});
