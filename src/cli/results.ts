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
  const lines = [
    header,
    '',
    '| model | method | W/A bits | test accuracy (%) | seeds | ms/step | backend |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const g of groups.values()) {
    const r0 = g[0];
    const acc = meanStd(g.map((r) => r.testAccuracy));
    const ms = meanStd(g.map((r) => r.msPerStep));
    const bits = r0.method === 'fp32' ? 'FP32' : `W${r0.wbits}A${r0.abits}`;
    const accText = acc.n > 1 ? `${pct(acc.mean)} ± ${pct(acc.std)}` : pct(acc.mean);
    const backends = [...new Set(g.map((r) => r.backend))].join(', ');
    lines.push(`| ${r0.model} | ${r0.method} | ${bits} | ${accText} | ${acc.n} | ${ms.mean.toFixed(1)} | ${backends} |`);
  }
  return lines.join('\n') + '\n';
}
