import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { RUN_IDS, RUN_LABELS, type RunId } from '../../config/run-config';
import { useMultiSeed } from '../../store/multi-seed-store';
import { usePlayground } from '../../store/playground-store';
import { runCommands, SPECTRUM_K } from '../../app/run-pool';
import { RUN_COLORS } from '../charts/colors';
import { controlState } from '../runs/run-status';
import { LayerEigenView } from './LayerEigenView';
import { spectrumHistogram, spectrumStats } from './spectrum-bins';

/**
 * On demand, the top 50 Hessian eigenvalues of every run's student, as the paper's Figure 5: how often each
 * eigenvalue magnitude occurs per method, with max, mean and variance. Smaller values mean a flatter minimum.
 */
export function SpectrumView() {
  const runs = usePlayground((s) => s.runs);
  const fp32 = usePlayground((s) => s.config.fp32);
  const samples = usePlayground((s) => s.config.spectrumSamples);
  const setConfig = usePlayground((s) => s.setConfig);
  const list = RUN_IDS.flatMap((id) => (runs[id] ? [runs[id]!] : []));
  const c = controlState(list);
  // Between two seeds of a repetition nothing trains for a moment; neither button belongs there.
  const repeating = useMultiSeed((s) => s.status === 'running');
  const pending = list.some((r) => r.spectrumPending);
  // Both measurements take the runs' Hessian phase: one at a time.
  const busy = pending || list.some((r) => r.layerEigenPending);
  const trained = list.length > 0 && list.every((r) => r.step > 0);
  const done = list.filter((r) => r.spectrum);
  const byRun = Object.fromEntries(done.map((r) => [r.id, r.spectrum!.summary.top])) as Partial<Record<RunId, number[]>>;
  const rows = spectrumHistogram(byRun).map((r) => ({ ...r, bin: `${r.from.toPrecision(2)}–${r.to.toPrecision(2)}` }));
  return (
    <section className="spectrum" data-testid="spectrum">
      <h2>Hessian spectrum: FP32 vs LSQ vs LSQ+CR</h2>
      <p className="small muted">
        The top {SPECTRUM_K} eigenvalues and the trace of each student&apos;s training-loss Hessian, on {samples} labeled images
        without augmentation (Lanczos on finite-difference Hessian-vector products; Hutchinson for the trace). The
        paper finds them smaller with CR: a flatter minimum. A minute or more per run on a CPU; Pause stops it.
        {!fp32 && ' The FP32 reference trains only when it is switched on before the runs start.'}
      </p>
      <div className="buttons">
        <button data-testid="spectrum-button" disabled={!trained || c.running || busy || repeating} onClick={runCommands.spectrum}>
          {pending ? 'Computing…' : 'Compute the spectrum'}
        </button>
        {!fp32 && (
          <button className="small" disabled={c.locked || repeating} onClick={() => setConfig({ fp32: true })} data-testid="add-fp32">
            Add an FP32 run
          </button>
        )}
      </div>
      {done.length > 0 && (
        <>
          <div className="chart-box">
            <ResponsiveContainer>
              <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="bin" fontSize={11} />
                <YAxis allowDecimals={false} label={{ value: 'count', angle: -90, position: 'insideLeft' }} />
                <Tooltip isAnimationActive={false} />
                <Legend />
                {done.map((r) => (
                  <Bar key={r.id} dataKey={r.id} name={RUN_LABELS[r.id]} fill={RUN_COLORS[r.id]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table data-testid="spectrum-table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Step</th>
                <th>Max</th>
                <th>Mean</th>
                <th>Variance</th>
                <th>Trace</th>
                <th>Time</th>
              </tr>
            </thead>
            <tbody>
              {done.map((r) => {
                const st = spectrumStats(r.spectrum!.summary.top);
                const sum = r.spectrum!.summary;
                return (
                  <tr key={r.id} data-testid={`spectrum-${r.id}`}>
                    <td style={{ color: RUN_COLORS[r.id], fontWeight: 600 }}>{RUN_LABELS[r.id]}</td>
                    <td>{r.spectrum!.step}</td>
                    <td>{st.max.toPrecision(4)}</td>
                    <td>{st.mean.toPrecision(4)}</td>
                    <td>{st.variance.toPrecision(4)}</td>
                    <td>
                      {sum.trace.toPrecision(4)} ± {sum.traceStderr.toPrecision(2)}
                    </td>
                    <td>{(sum.ms / 1000).toFixed(1)} s</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      <LayerEigenView />
    </section>
  );
}
