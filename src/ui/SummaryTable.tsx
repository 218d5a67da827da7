import { RUN_IDS, RUN_LABELS } from '../config/run-config';
import { usePlayground } from '../store/playground-store';
import { compareRuns, summarizeRun } from '../store/run-summary';
import { RUN_COLORS } from './charts/colors';

const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);
const num = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} pts`;

/** Per run: best and final test accuracy, speed and backend; and the gap LSQ+CR − LSQ. */
export function SummaryTable() {
  const runs = usePlayground((s) => s.runs);
  const batch = usePlayground((s) => s.config.batchSize);
  const rows = RUN_IDS.flatMap((id) => {
    const r = runs[id];
    return r ? [{ r, s: summarizeRun(r.evals, r.stepsPerSecond, batch) }] : [];
  });
  const gap = runs.lsq && runs['lsq+cr'] ? compareRuns(runs.lsq.evals, runs['lsq+cr'].evals) : null;
  return (
    <section className="summary">
      <h2>Summary</h2>
      <table data-testid="summary-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Best test</th>
            <th>Last test</th>
            <th>EMA teacher</th>
            <th>Steps/s</th>
            <th>Images/s</th>
            <th>Backend</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ r, s }) => (
            <tr key={r.id} data-testid={`summary-${r.id}`}>
              <td style={{ color: RUN_COLORS[r.id], fontWeight: 600 }}>{RUN_LABELS[r.id]}</td>
              <td>{pct(s.bestAccuracy)}</td>
              <td>
                {pct(s.finalAccuracy)}
                {s.finalStep !== null ? <span className="muted small"> @{s.finalStep}</span> : null}
              </td>
              <td>{pct(s.teacherAccuracy)}</td>
              <td>{num(s.stepsPerSecond)}</td>
              <td>{num(s.imagesPerSecond, 0)}</td>
              <td>{r.backend?.name ?? '—'}</td>
            </tr>
          ))}
          {gap && (
            <tr className="gap" data-testid="summary-gap">
              <td>
                LSQ+CR − LSQ <span className="muted small">up to step {gap.step}</span>
              </td>
              <td>{signed(gap.best)}</td>
              <td>{signed(gap.last)}</td>
              <td colSpan={4} className="muted small">
                Compared at the last step both runs have tested. Periodic tests use 1,000 test images; the one after
                the final step uses all of them. One seed is one sample: differences under a point are often noise.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p className="muted small">Images/s counts labeled images; CR also runs the teacher and an unlabeled batch each step. Two runs share this machine, so each runs slower than it would alone.</p>
    </section>
  );
}
