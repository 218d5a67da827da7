import { describe, expect, it } from 'vitest';
import { lambdaAt, LAMBDA_SCHEDULES, type LambdaSchedule, type LambdaScheduleKind } from '../src/engine/cr/lambda-schedule';

const T = 100;
const MAX = 2;
const sched = (kind: LambdaScheduleKind, rampSteps = T, max = MAX): LambdaSchedule => ({ kind, max, rampSteps });

describe('lambdaAt', () => {
  it('covers the five schedules', () => {
    expect([...LAMBDA_SCHEDULES].sort()).toEqual(['constant', 'cosine', 'linear', 'sigmoid', 'step']);
  });

  // [t, expected] at t = 0, T/4, T/2, T−1, T, 2T.
  const cases: Record<LambdaScheduleKind, [number, number][]> = {
    constant: [
      [0, 2],
      [25, 2],
      [50, 2],
      [99, 2],
      [100, 2],
      [200, 2],
    ],
    linear: [
      [0, 0],
      [25, 0.5],
      [50, 1],
      [99, 1.98],
      [100, 2],
      [200, 2],
    ],
    // λ_max·exp(−5(1 − t/T)²): exp(−5) at 0, exp(−45/16) at T/4, exp(−5/4) at T/2.
    sigmoid: [
      [0, 2 * 0.006737946999085467],
      [25, 2 * 0.060054667895307945],
      [50, 2 * 0.28650479686019015],
      [99, 2 * Math.exp(-5e-4)],
      [100, 2],
      [200, 2],
    ],
    // λ_max·½(1 − cos(πt/T)).
    cosine: [
      [0, 0],
      [25, 2 * 0.5 * (1 - Math.SQRT1_2)],
      [50, 1],
      [99, 2 * 0.5 * (1 - Math.cos(0.99 * Math.PI))],
      [100, 2],
      [200, 2],
    ],
    step: [
      [0, 0],
      [25, 0],
      [50, 0],
      [99, 0],
      [100, 2],
      [200, 2],
    ],
  };

  for (const kind of LAMBDA_SCHEDULES) {
    it(`${kind} at t = 0, T/4, T/2, T−1, T, 2T`, () => {
      for (const [t, want] of cases[kind]) expect(lambdaAt(t, sched(kind)), `t=${t}`).toBeCloseTo(want, 12);
    });
  }

  it('sigmoid and cosine rise monotonically to λ_max; linear is a straight line', () => {
    for (const kind of ['sigmoid', 'cosine', 'linear'] as const) {
      let prev = -1;
      for (let t = 0; t <= 2 * T; t++) {
        const v = lambdaAt(t, sched(kind));
        expect(v).toBeGreaterThanOrEqual(prev);
        expect(v).toBeLessThanOrEqual(MAX);
        prev = v;
      }
    }
    expect(lambdaAt(37, sched('linear'))).toBeCloseTo(0.74, 12);
  });

  it('rampSteps 0: every schedule is λ_max from the first step, with no division by zero', () => {
    for (const kind of LAMBDA_SCHEDULES) {
      for (const t of [0, 1, 50]) expect(lambdaAt(t, sched(kind, 0)), `${kind} t=${t}`).toBe(MAX);
    }
  });

  it('λ_max 0 gives exactly 0 everywhere (a λ = 0 run has no consistency term)', () => {
    for (const kind of LAMBDA_SCHEDULES) {
      for (const t of [0, 50, 100, 200]) expect(lambdaAt(t, sched(kind, T, 0)), `${kind} t=${t}`).toBe(0);
    }
  });
});
