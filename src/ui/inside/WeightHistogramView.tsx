import { useState } from 'react';
import { RUN_IDS, type RunId } from '../../config/run-config';
import type { WeightHistogram } from '../../engine/inspect/weight-histogram';
import { usePlayground } from '../../store/playground-store';
import { RUN_COLORS } from '../charts/colors';
import { RunLayerPicker } from './RunLayerPicker';

/** Above this many levels the lattice lines would merge into a grey band; they are left out. */
export const MAX_DRAWN_LEVELS = 64;
const W = 560;
const H = 180;
const PAD = 24;

/** A layer's latent weights as bars, its quantization levels as vertical lines, clipping bounds in red. */
export function HistogramSvg({ h, color }: { h: WeightHistogram; color: string }) {
  const bins = h.counts.length;
  const max = Math.max(1, ...h.counts);
  const x = (v: number) => PAD + ((v - h.min) / (h.binWidth * bins)) * (W - 2 * PAD);
  const barW = (W - 2 * PAD) / bins;
  const levels = h.step !== null && h.qn + h.qp + 1 <= MAX_DRAWN_LEVELS ? Array.from({ length: h.qn + h.qp + 1 }, (_, k) => (k - h.qn) * h.step!) : [];
  // An unsigned grid (activations after a ReLU) clips only above: nothing lies below 0.
  const clip = h.step !== null ? [...(h.qn > 0 ? [-(h.qn + 0.5) * h.step] : []), (h.qp + 0.5) * h.step] : [];
  return (
    <svg viewBox={`0 0 ${W} ${H + 18}`} className="histogram" role="img" aria-label={`weight histogram of ${h.name}`}>
      {Array.from(h.counts, (c, i) => (
        <rect key={i} x={PAD + i * barW} y={H - (c / max) * (H - 10)} width={Math.max(1, barW - 1)} height={(c / max) * (H - 10)} fill={color} opacity={0.55} />
      ))}
      {levels.map((v, i) => (
        <line key={i} x1={x(v)} x2={x(v)} y1={4} y2={H} stroke="#111827" strokeWidth={1} strokeDasharray="2 2" data-testid="quant-level" />
      ))}
      {clip.map((v, i) => (
        <line key={`c${i}`} x1={x(v)} x2={x(v)} y1={0} y2={H} stroke="#dc2626" strokeWidth={1.5} />
      ))}
      <line x1={PAD} x2={W - PAD} y1={H} y2={H} stroke="#9ca3af" />
      <text x={PAD} y={H + 14} fontSize={11} fill="#4b5563">
        {h.min.toPrecision(3)}
      </text>
      <text x={W - PAD} y={H + 14} fontSize={11} fill="#4b5563" textAnchor="end">
        {(h.min + h.binWidth * bins).toPrecision(3)}
      </text>
    </svg>
  );
}

export function WeightHistogramView() {
  const runs = usePlayground((s) => s.runs);
  const available = RUN_IDS.filter((id) => runs[id]?.inspection);
  const [runChoice, setRun] = useState<RunId>('lsq');
  const [layerChoice, setLayer] = useState<string | null>(null);
  const run = available.includes(runChoice) ? runChoice : available[0];
  const hists = run ? runs[run]!.inspection!.histograms : [];
  if (!run || hists.length === 0) return <p className="muted">Weight histograms appear after the first test evaluation.</p>;
  const h = hists.find((x) => x.name === layerChoice) ?? hists[Math.min(1, hists.length - 1)];
  return (
    <div data-testid="weight-histogram">
      <RunLayerPicker runs={available} run={run} onRun={setRun} layers={hists.map((x) => x.name)} layer={h.name} onLayer={setLayer} layerTestId="histogram-layer" />
      <HistogramSvg h={h} color={RUN_COLORS[run]} />
      <p className="small muted" data-testid="histogram-caption">
        {h.step === null
          ? `${h.name} is not quantized (full precision).`
          : `${h.name}: ${h.bits}-bit, step s = ${h.step.toPrecision(3)}, ${h.qn + h.qp + 1} levels from −${h.qn}s to ${h.qp}s (dashed; ${h.qn + h.qp + 1 > MAX_DRAWN_LEVELS ? 'too many to draw' : 'drawn'}); red: where LSQ clips. ${(100 * h.clipped).toFixed(2)}% of weights are clipped.`}
      </p>
    </div>
  );
}
