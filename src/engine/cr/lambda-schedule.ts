import type { LambdaSchedule } from '../vocabulary/train-config';

export { LAMBDA_SCHEDULES, type LambdaScheduleKind } from '../vocabulary/cr-names';
/** kind, λ_max and T: steps of the ramp (sigmoid, linear, cosine) or the step at which `step` switches on. */
export type { LambdaSchedule } from '../vocabulary/train-config';

/** λ(t) at step t (0-based). Every ramp reaches λ_max at t = T and stays there. */
export function lambdaAt(t: number, s: LambdaSchedule): number {
  const T = Math.max(0, s.rampSteps);
  if (s.kind === 'constant' || t >= T) return s.kind === 'step' && t < T ? 0 : s.max;
  const r = t / T;
  switch (s.kind) {
    case 'linear':
      return s.max * r;
    case 'sigmoid':
      // The mean-teacher ramp-up: λ_max·exp(−5(1 − t/T)²).
      return s.max * Math.exp(-5 * (1 - r) ** 2);
    case 'cosine':
      return s.max * 0.5 * (1 - Math.cos(Math.PI * r));
    case 'step':
      return 0;
  }
}
