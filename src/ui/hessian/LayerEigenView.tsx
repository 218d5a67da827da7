import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { RUN_IDS, RUN_LABELS, type RunId } from '../../config/run-config';
import type { LayerEigenvalue } from '../../engine/hessian/layer-eigen';
import { useMultiSeed } from '../../store/multi-seed-store';
import { usePlayground } from '../../store/playground-store';
import { runCommands } from '../../app/run-pool';
import { RUN_COLORS } from '../charts/colors';
import { Explain } from '../classroom/Explain';
import { controlState } from '../runs/run-status';
import { layerBarData, layerEigenRows, type LayerRow } from './layer-eigen-rows';

const VERDICT: Record<NonNullable<LayerRow['crVsLsq']>, string> = {
  lower: 'flatter with CR',
  higher: 'sharper with CR',
  within: 'within the bounds',
};

const pm = (v: { value: number; spread: number } | undefined) => (v ? `${v.value.toPrecision(3)} ± ${v.spread.toPrecision(2)}` : '–');

/**
 * On demand, the top Hessian eigenvalue of each layer's own parameters, per run, with the residual bound of each:
 * which layers the sharpness sits in, and where CR changes it by more than the estimates' uncertainty.
 */
export function LayerEigenView() {
  const runs = usePlayground((s) => s.runs);
  const list = RUN_IDS.flatMap((id) => (runs[id] ? [runs[id]!] : []));
  const c = controlState(list);
  const repeating = useMultiSeed((s) => s.status === 'running');
  const pending = list.some((r) => r.layerEigenPending || r.spectrumPending);
  const trained = list.length > 0 && list.every((r) => r.step > 0);
  const done = list.filter((r) => r.layerEigen);
  const rows = layerEigenRows(Object.fromEntries(done.map((r) => [r.id, r.layerEigen!.spectrum.layers])) as Partial<Record<RunId, LayerEigenvalue[]>>);
  const measuring = list.some((r) => r.layerEigenPending);
  return (
    <div className="layer-eigen" data-testid="layer-eigen">
      <h3>Per-layer top eigenvalues</h3>
      <p className="small muted">
        The Hessian restricted to one layer&apos;s weights and bias (every other parameter fixed), on the spectrum&apos;s batch; one
        Lanczos estimate per layer, each with its ± residual bound.
      </p>
      <div className="buttons">
        <button data-testid="layer-eigen-button" disabled={!trained || c.running || pending || repeating} onClick={runCommands.layerEigenvalues}>
          {measuring ? 'Computing…' : 'Compute per-layer eigenvalues'}
        </button>
      </div>
      <Explain id="layerEigen" />
      {rows.length > 0 && (
        <>
          <div className="chart-box">
            <ResponsiveContainer>
              {/* Remounted as runs answer: recharts orders bars by when each registered, not by their place here. */}
              <BarChart key={done.map((r) => r.id).join()} data={layerBarData(rows)} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="layer" fontSize={11} />
                <YAxis width={52} />
                <Tooltip isAnimationActive={false} />
                <Legend />
                {done.map((r) => (
                  <Bar key={r.id} dataKey={r.id} name={RUN_LABELS[r.id]} fill={RUN_COLORS[r.id]} isAnimationActive={false}>
                    <ErrorBar dataKey={`${r.id}:spread`} width={4} strokeWidth={1.5} stroke="#333" direction="y" isAnimationActive={false} />
                  </Bar>
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table data-testid="layer-eigen-table">
            <thead>
              <tr>
                <th>Layer</th>
                <th>Parameters</th>
                {done.map((r) => (
                  <th key={r.id} style={{ color: RUN_COLORS[r.id] }}>
                    {RUN_LABELS[r.id]} (step {r.layerEigen!.step})
                  </th>
                ))}
                <th>LSQ+CR vs LSQ</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.layer} data-testid={`layer-eigen-${row.layer}`}>
                  <td>{row.layer}</td>
                  <td>{row.dim}</td>
                  {done.map((r) => (
                    <td key={r.id}>{pm(row.byRun[r.id])}</td>
                  ))}
                  <td>{row.crVsLsq ? VERDICT[row.crVsLsq] : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
