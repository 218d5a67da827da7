import { pairedGain, type PairedGain } from '../engine';
import type { RunResult } from './results';

/**
 * Seed-by-seed comparisons against LSQ: LSQ+CR − LSQ (what CR gains) and FP32 − LSQ (the quantization gap). A
 * seed fixes the labeled subset, the init and the batches, so runs of one seed pair up; the spread of the
 * differences, not of the accuracies, says whether a gap stands out of seed noise.
 */

/** One comparison as results.json's `paired` array holds it; accuracies and differences in points (percent). */
export interface PairedComparison extends Omit<PairedGain, 'n'> {
  model: string;
  /** The bit widths of the LSQ runs compared against. */
  wbits: number;
  abits: number;
  /** Differences are `method − baseline`. */
  method: 'lsq+cr' | 'fp32';
  baseline: 'lsq';
  /** Seeds both ran, ascending; the arrays below follow them. */
  seeds: number[];
  methodAccuracy: number[];
  baselineAccuracy: number[];
  /** Seeds only one of the two ran: left out of the pairing. */
  unpaired: { method: string; seeds: number[] }[];
}

interface Kind {
  method: PairedComparison['method'];
  /** Its runs that pair with the LSQ runs of one model and bit width. */
  matches(r: RunResult, lsq: RunResult): boolean;
  title: string;
  diff: string;
  mean: string;
  ahead: string;
}

const KINDS: readonly Kind[] = [
  {
    method: 'lsq+cr',
    matches: (r, lsq) => r.method === 'lsq+cr' && r.model === lsq.model && r.wbits === lsq.wbits && r.abits === lsq.abits,
    title: 'LSQ+CR vs LSQ',
    diff: 'CR − LSQ',
    mean: 'Mean gain',
    ahead: 'CR',
  },
  {
    // fp32 runs once per seed whatever the bit widths: it pairs with every bit width's LSQ runs.
    method: 'fp32',
    matches: (r, lsq) => r.method === 'fp32' && r.model === lsq.model,
    title: 'FP32 vs LSQ (the quantization gap)',
    diff: 'FP32 − LSQ',
    mean: 'Mean gap',
    ahead: 'FP32',
  },
];

const LABEL: Record<string, string> = { lsq: 'LSQ', 'lsq+cr': 'LSQ+CR', fp32: 'FP32' };

/** Accuracy by seed, points; a repeated seed keeps its first run. */
function bySeed(runs: readonly RunResult[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of runs) if (!m.has(r.seed)) m.set(r.seed, 100 * r.testAccuracy);
  return m;
}

export function pairedComparisons(runs: readonly RunResult[]): PairedComparison[] {
  const lsqGroups = new Map<string, RunResult[]>();
  for (const r of runs) {
    if (r.method !== 'lsq') continue;
    const key = `${r.model}|${r.wbits}|${r.abits}`;
    lsqGroups.set(key, [...(lsqGroups.get(key) ?? []), r]);
  }
  const out: PairedComparison[] = [];
  for (const lsqRuns of lsqGroups.values()) {
    const lsq0 = lsqRuns[0];
    const base = bySeed(lsqRuns);
    for (const kind of KINDS) {
      const other = bySeed(runs.filter((r) => kind.matches(r, lsq0)));
      const seeds = [...base.keys()].filter((s) => other.has(s)).sort((a, b) => a - b);
      if (seeds.length === 0) continue;
      const methodAccuracy = seeds.map((s) => other.get(s)!);
      const baselineAccuracy = seeds.map((s) => base.get(s)!);
      const g = pairedGain(methodAccuracy, baselineAccuracy);
      const only = (m: Map<number, number>, not: Map<number, number>) => [...m.keys()].filter((s) => !not.has(s)).sort((a, b) => a - b);
      const unpaired = [
        { method: 'lsq', seeds: only(base, other) },
        { method: kind.method, seeds: only(other, base) },
      ].filter((u) => u.seeds.length > 0);
      out.push({
        model: lsq0.model,
        wbits: lsq0.wbits,
        abits: lsq0.abits,
        method: kind.method,
        baseline: 'lsq',
        seeds,
        methodAccuracy,
        baselineAccuracy,
        diffs: g.diffs,
        mean: g.mean,
        std: g.std,
        interval: g.interval,
        wins: g.wins,
        losses: g.losses,
        withinNoise: g.withinNoise,
        unpaired,
      });
    }
  }
  return out;
}

/** Points with two decimals and a sign; a difference that rounds to zero has none. */
export function signedPoints(x: number): string {
  const t = Math.abs(x).toFixed(2);
  return t === '0.00' ? t : `${x > 0 ? '+' : '−'}${t}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function section(c: PairedComparison): string {
  const kind = KINDS.find((k) => k.method === c.method)!;
  const lines = [
    `## ${kind.title}, ${c.model} W${c.wbits}A${c.abits}, paired by seed`,
    '',
    `| seed | LSQ (%) | ${LABEL[c.method]} (%) | ${kind.diff} (points) |`,
    '| --- | --- | --- | --- |',
    ...c.seeds.map((s, i) => `| ${s} | ${c.baselineAccuracy[i].toFixed(2)} | ${c.methodAccuracy[i].toFixed(2)} | ${signedPoints(c.diffs[i])} |`),
    '',
  ];
  const spread = c.interval
    ? `95% interval [${signedPoints(c.interval[0])}, ${signedPoints(c.interval[1])}]`
    : 'one seed, so no interval';
  const ties = c.seeds.length - c.wins - c.losses;
  const tally = `${kind.ahead} ahead on ${c.wins} of ${plural(c.seeds.length, 'seed')}${ties > 0 ? `, level on ${ties}` : ''}`;
  lines.push(`${kind.mean} ${signedPoints(c.mean)} points, ${spread}${c.withinNoise ? ', within seed noise' : ''}; ${tally}.`);
  if (c.unpaired.length > 0) {
    const left = c.unpaired.map((u) => `${u.seeds.length === 1 ? 'seed' : 'seeds'} ${u.seeds.join(', ')} (${LABEL[u.method]} only)`);
    lines.push(`Left out of the pairing: ${left.join('; ')}.`);
  }
  return lines.join('\n');
}

/** The markdown sections of summary.md for these comparisons; empty when there are none. */
export function pairedSummary(comparisons: readonly PairedComparison[]): string {
  return comparisons.map((c) => `\n${section(c)}\n`).join('');
}
