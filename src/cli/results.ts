import { meanStd } from '../engine/util/stats';

/** One finished run as written to results.json (DESIGN.md fixes the first eight fields). */
export interface RunResult {
  method: string;
  seed: number;
  wbits: number;
  abits: number;
  testAccuracy: number;
  steps: number;
  msPerStep: number;
  backend: string;
  model: string;
  dataset: string;
  testLoss: number;
  /** On the held-out validation split (`--validation N`), for choices that must not look at the test split. */
  validationAccuracy: number | null;
  /** lsq+cr: the EMA teacher's test accuracy. */
  teacherTestAccuracy: number | null;
  finalTrainLoss: number;
  labeled: number;
  batchSize: number;
}

const pct = (x: number) => (100 * x).toFixed(2);

/** Markdown table: one row per (model, method, bits), test accuracy mean ± std over seeds. */
export function summarize(runs: readonly RunResult[], header: string): string {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${r.model}|${r.method}|${r.wbits}|${r.abits}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const withVal = runs.some((r) => r.validationAccuracy !== null);
  const withTeacher = runs.some((r) => r.teacherTestAccuracy !== null);
  const lines = [
    header,
    '',
    `| model | method | W/A bits | ${withVal ? 'validation accuracy (%) | ' : ''}test accuracy (%) | ${withTeacher ? 'EMA teacher test accuracy (%) | ' : ''}seeds | ms/step | backend |`,
    `| --- | --- | --- | ${withVal ? '--- | ' : ''}--- | ${withTeacher ? '--- | ' : ''}--- | --- | --- |`,
  ];
  for (const g of groups.values()) {
    const r0 = g[0];
    const acc = meanStd(g.map((r) => r.testAccuracy));
    const ms = meanStd(g.map((r) => r.msPerStep));
    const bits = r0.method === 'fp32' ? 'FP32' : `W${r0.wbits}A${r0.abits}`;
    const text = (s: { mean: number; std: number; n: number }) => (s.n > 1 ? `${pct(s.mean)} ± ${pct(s.std)}` : pct(s.mean));
    const accText = text(acc);
    const valText = withVal ? `${text(meanStd(g.map((r) => r.validationAccuracy ?? NaN)))} | ` : '';
    const teacherText = withTeacher ? `${r0.teacherTestAccuracy === null ? '—' : text(meanStd(g.map((r) => r.teacherTestAccuracy ?? NaN)))} | ` : '';
    const backends = [...new Set(g.map((r) => r.backend))].join(', ');
    lines.push(`| ${r0.model} | ${r0.method} | ${bits} | ${valText}${accText} | ${teacherText}${acc.n} | ${ms.mean.toFixed(1)} | ${backends} |`);
  }
  return lines.join('\n') + '\n';
}
