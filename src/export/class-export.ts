import { RUN_LABELS } from '../config/run-config';
import { perClassAccuracy } from '../engine/vocabulary/confusion';
import type { ExportedRun } from './metrics-export';

/**
 * Every evaluation's confusion matrix, long form: one row per run, step, model (student or teacher) and cell, with
 * that true class's accuracy, so a spreadsheet can pivot it either way.
 */
export function confusionCsv(runs: readonly ExportedRun[], classNames: readonly string[] = []): string {
  const lines = ['run,step,model,true_class,predicted_class,count,class_accuracy'];
  const name = (c: number) => JSON.stringify(classNames[c] ?? `class ${c}`);
  for (const r of runs) {
    for (const e of r.evals) {
      const models: [string, number[][] | null | undefined][] = [
        ['student', e.confusion],
        ['teacher', e.teacherConfusion],
      ];
      for (const [model, m] of models) {
        if (!m) continue;
        const acc = perClassAccuracy(m);
        m.forEach((row, i) => row.forEach((v, j) => lines.push([RUN_LABELS[r.id], e.step, model, name(i), name(j), v, acc[i] ?? ''].join(','))));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
