import type { RunId } from '../config/run-config';
import { classGains, perClassAccuracy, type ClassGain, type ConfusionMatrix } from '../engine/vocabulary/confusion';
import type { EvalMetrics } from '../engine/train/metrics';

/** One bar series of the per-class chart: a run's student, or the EMA teacher of LSQ+CR. */
export interface ClassSeries {
  key: string;
  run: RunId;
  teacher: boolean;
  step: number;
  matrix: ConfusionMatrix;
}

let lastSeries: ClassSeries[] = [];

/**
 * The latest evaluation of each run that carries a confusion matrix, student first, then the teacher's. While the
 * answer is the one of the last call (same series, same matrices) the same array comes back, so the views drawn
 * from it are not redrawn with every metrics batch.
 */
export function latestSeries(runs: readonly { id: RunId; evals: readonly EvalMetrics[] }[]): ClassSeries[] {
  const out = freshSeries(runs);
  const same = out.length === lastSeries.length && out.every((s, i) => s.key === lastSeries[i].key && s.step === lastSeries[i].step && s.matrix === lastSeries[i].matrix);
  if (!same) lastSeries = out;
  return lastSeries;
}

function freshSeries(runs: readonly { id: RunId; evals: readonly EvalMetrics[] }[]): ClassSeries[] {
  const out: ClassSeries[] = [];
  for (const r of runs) {
    const e = [...r.evals].reverse().find((x) => x.confusion);
    if (!e?.confusion) continue;
    out.push({ key: r.id, run: r.id, teacher: false, step: e.step, matrix: e.confusion });
    if (e.teacherConfusion) out.push({ key: `${r.id}:teacher`, run: r.id, teacher: true, step: e.step, matrix: e.teacherConfusion });
  }
  return out;
}

/** One row per class: its name and each series' accuracy on it (null where the class had no test images). */
export function perClassRows(classNames: readonly string[], series: readonly ClassSeries[]): Record<string, string | number | null>[] {
  const acc = series.map((s) => perClassAccuracy(s.matrix));
  const classes = series[0]?.matrix.length ?? 0;
  return Array.from({ length: classes }, (_, c) => {
    const row: Record<string, string | number | null> = { cls: classNames[c] ?? `class ${c}` };
    series.forEach((s, i) => (row[s.key] = acc[i][c]));
    return row;
  });
}

/** Where LSQ+CR's student gains most and loses most against LSQ's, per class; null without both. */
export function crGains(series: readonly ClassSeries[]): { best: ClassGain; worst: ClassGain; all: ClassGain[] } | null {
  const lsq = series.find((s) => s.run === 'lsq' && !s.teacher);
  const cr = series.find((s) => s.run === 'lsq+cr' && !s.teacher);
  if (!lsq || !cr || lsq.matrix.length !== cr.matrix.length) return null;
  const all = classGains(cr.matrix, lsq.matrix);
  return all.length === 0 ? null : { best: all[0], worst: all[all.length - 1], all };
}
