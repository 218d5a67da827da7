import { meanStd } from '../engine';
import { pairedComparisons, pairedSummary } from './paired-summary';

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
  /** `--save-models`: the run's model file, relative to results.json. */
  modelFile?: string;
  labeled: number;
  batchSize: number;
  /** `--hessian`: the top eigenvalues of the training loss's Hessian (largest first) and its trace. */
  hessianTop?: number[];
  hessianTrace?: number;
  hessianTraceStderr?: number;
  /** Lanczos products used and whether it met its tolerance (else the values are its best estimates). */
  hessianIterations?: number;
  hessianConverged?: boolean;
}

const pct = (x: number) => (100 * x).toFixed(2);

/**
 * Markdown table: one row per (model, method, bits), test accuracy mean ± std over seeds; then the seed-by-seed
 * comparisons against LSQ (`paired-summary.ts`).
 */
export function summarize(runs: readonly RunResult[], header: string): string {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${r.model}|${r.method}|${r.wbits}|${r.abits}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const withVal = runs.some((r) => r.validationAccuracy !== null);
  const withTeacher = runs.some((r) => r.teacherTestAccuracy !== null);
  const withHessian = runs.some((r) => r.hessianTop !== undefined);
  const top50 = runs.some((r) => (r.hessianTop?.length ?? 0) > 1);
  const lines = [
    header,
    '',
    `| model | method | W/A bits | ${withVal ? 'validation accuracy (%) | ' : ''}test accuracy (%) | ${withTeacher ? 'EMA teacher test accuracy (%) | ' : ''}${withHessian ? `top Hessian eigenvalue | ${top50 ? 'mean of top 50 | ' : ''}Hessian trace | ` : ''}seeds | ms/step | backend |`,
    `| --- | --- | --- | ${withVal ? '--- | ' : ''}--- | ${withTeacher ? '--- | ' : ''}${withHessian ? `--- | ${top50 ? '--- | ' : ''}--- | ` : ''}--- | --- | --- |`,
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
    const plain = (s: { mean: number; std: number; n: number }) => (s.n > 1 ? `${s.mean.toPrecision(3)} ± ${s.std.toPrecision(2)}` : s.mean.toPrecision(3));
    const hessianText = withHessian
      ? `${plain(meanStd(g.map((r) => r.hessianTop?.[0] ?? NaN)))} | ${top50 ? `${plain(meanStd(g.map((r) => (r.hessianTop ? r.hessianTop.reduce((a, b) => a + b, 0) / r.hessianTop.length : NaN))))} | ` : ''}${plain(meanStd(g.map((r) => r.hessianTrace ?? NaN)))} | `
      : '';
    const backends = [...new Set(g.map((r) => r.backend))].join(', ');
    lines.push(`| ${r0.model} | ${r0.method} | ${bits} | ${valText}${accText} | ${teacherText}${hessianText}${acc.n} | ${ms.mean.toFixed(1)} | ${backends} |`);
  }
  return lines.join('\n') + '\n' + pairedSummary(pairedComparisons(runs));
}
