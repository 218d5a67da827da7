import type { EvalMetrics } from '../engine/train/metrics';

export interface RunSummary {
  /** Best test accuracy of any evaluation so far (periodic ones use a subset of the test split). */
  bestAccuracy: number | null;
  /** The last evaluation's test accuracy; after the last step it covers the whole test split. */
  finalAccuracy: number | null;
  finalStep: number | null;
  teacherAccuracy: number | null;
  stepsPerSecond: number | null;
  /** Labeled training images per second (CR's teacher and unlabeled images come on top). */
  imagesPerSecond: number | null;
}

export function summarizeRun(evals: readonly EvalMetrics[], stepsPerSecond: number | null, batchSize: number): RunSummary {
  const last = evals.at(-1) ?? null;
  return {
    bestAccuracy: evals.length > 0 ? Math.max(...evals.map((e) => e.accuracy)) : null,
    finalAccuracy: last?.accuracy ?? null,
    finalStep: last?.step ?? null,
    teacherAccuracy: last?.teacherAccuracy ?? null,
    stepsPerSecond,
    imagesPerSecond: stepsPerSecond === null ? null : stepsPerSecond * batchSize,
  };
}

/**
 * LSQ+CR minus LSQ, in accuracy points, judged fairly while one run is ahead: both at the last step that both
 * have evaluated, and the best of each up to that step. Null until both have evaluated a common step.
 */
export function compareRuns(lsq: readonly EvalMetrics[], cr: readonly EvalMetrics[]): { step: number; best: number; last: number } | null {
  const crSteps = new Set(cr.map((e) => e.step));
  const common = lsq.filter((e) => crSteps.has(e.step)).at(-1)?.step;
  if (common === undefined) return null;
  const upTo = (list: readonly EvalMetrics[]) => list.filter((e) => e.step <= common);
  const best = (list: readonly EvalMetrics[]) => Math.max(...upTo(list).map((e) => e.accuracy));
  const at = (list: readonly EvalMetrics[]) => list.filter((e) => e.step === common).at(-1)!.accuracy;
  return { step: common, best: 100 * (best(cr) - best(lsq)), last: 100 * (at(cr) - at(lsq)) };
}
