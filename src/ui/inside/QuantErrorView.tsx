import { useMemo, useState } from 'react';
import { RUN_IDS, RUN_LABELS, type RunId } from '../../config/run-config';
import { usePlayground } from '../../store/playground-store';
import { quantErrorRows } from '../../store/quant-error-rows';
import { RUN_COLORS } from '../charts/colors';
import { HistogramSvg, MAX_DRAWN_LEVELS } from './WeightHistogramView';
import { RunLayerPicker } from './RunLayerPicker';

const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);

/** Per quantized tensor and run: relative RMS error, cosine similarity, clipped share, grid-point flips. */
export function QuantErrorTable() {
  const runs = usePlayground((s) => s.runs);
  const list = useMemo(() => RUN_IDS.flatMap((id) => (runs[id] && runs[id].quantErrors.length > 0 ? [runs[id]] : [])), [runs]);
  const rows = useMemo(() => quantErrorRows(list), [list]);
  if (rows.length === 0) return <p className="muted">Quantization errors appear with the first test evaluation.</p>;
  const ids = list.map((r) => r.id).filter((id) => id !== 'fp32');
  return (
    <div className="table-scroll">
      <table className="quant-error" data-testid="quant-error">
        <thead>
          <tr>
            <th>Quantized tensor</th>
            {ids.map((id) => (
              <th key={id} colSpan={4} style={{ color: RUN_COLORS[id] }}>
                {RUN_LABELS[id]} (step {list.find((r) => r.id === id)!.quantErrors.at(-1)!.step})
              </th>
            ))}
          </tr>
          <tr className="small muted">
            <th />
            {ids.map((id) => (
              <FourHeads key={id} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.kind}:${row.name}`} data-testid={`quant-error-${row.kind}-${row.name}`}>
              <th className="small">
                {row.name} <span className="muted">({row.kind === 'weight' ? 'weights' : 'activations'}, {row.bits}-bit)</span>
              </th>
              {ids.map((id) => {
                const e = row.runs[id];
                return e ? (
                  <Cells key={id} e={e} />
                ) : (
                  <td key={id} colSpan={4} className="muted">
                    —
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FourHeads() {
  return (
    <>
      <th title="‖q − x‖ / ‖x‖">rel. RMS</th>
      <th title="cosine similarity of q and x">cos</th>
      <th title="share beyond the outermost level by more than half a step">clipped</th>
      <th title="weights that moved to another grid point since the last evaluation (twice or more: oscillating)">flipped / osc.</th>
    </>
  );
}

function Cells({ e }: { e: { relRms: number; cosine: number; clipped: number; flipped: number | null; oscillating: number | null } }) {
  return (
    <>
      <td>{e.relRms.toFixed(3)}</td>
      <td>{e.cosine.toFixed(4)}</td>
      <td>{pct(e.clipped)}</td>
      <td>{e.flipped === null ? '—' : `${pct(e.flipped)} / ${pct(e.oscillating)}`}</td>
    </>
  );
}

/** The activations entering a chosen layer, on a fixed batch of test images, with the unsigned grid they are rounded to. */
export function ActivationHistogramView() {
  const runs = usePlayground((s) => s.runs);
  const available = RUN_IDS.filter((id) => (runs[id]?.activationHistograms.length ?? 0) > 0);
  const [runChoice, setRun] = useState<RunId>('lsq');
  const [layerChoice, setLayer] = useState<string | null>(null);
  const run = available.includes(runChoice) ? runChoice : available[0];
  const hists = run ? runs[run]!.activationHistograms : [];
  if (!run || hists.length === 0) return <p className="muted">Activation histograms appear with the first test evaluation (when activations are quantized).</p>;
  const h = hists.find((x) => x.name === layerChoice) ?? hists[Math.min(1, hists.length - 1)];
  const levels = h.qp + 1;
  return (
    <div data-testid="activation-histogram">
      <RunLayerPicker runs={available} run={run} onRun={setRun} layers={hists.map((x) => x.name)} layer={h.name} onLayer={setLayer} layerTestId="activation-layer" />
      <HistogramSvg h={h} color={RUN_COLORS[run]} />
      <p className="small muted" data-testid="activation-caption">
        {`${h.name}: ${h.bits}-bit unsigned, step s = ${h.step!.toPrecision(3)}, ${levels} levels from 0 to ${h.qp}s (dashed; ${levels > MAX_DRAWN_LEVELS ? 'too many to draw' : 'drawn'}); red: where LSQ clips. ${(100 * h.clipped).toFixed(2)}% of these activations are clipped.`}
      </p>
    </div>
  );
}
