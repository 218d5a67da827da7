import { RUN_IDS, RUN_LABELS } from '../config/run-config';
import { seedGain, shownSeed, useRepeatView } from '../store/multi-seed-store';
import { usePlayground } from '../store/playground-store';
import { compareRuns, summarizeRun } from '../store/run-summary';
import { gapVerdict, points, presetSpread } from '../store/seed-noise';
import { RUN_COLORS } from './charts/colors';

const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);
const num = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));

/**
 * Per run: the final test accuracy first (the last evaluation; after the last step, the whole test split), then the
 * teacher's, the best evaluation (secondary: picking the best is a choice made on the test split), speed and backend.
 * The gap row says whether LSQ+CR − LSQ can be told from seed noise.
 */
export function SummaryTable() {
  const runs = usePlayground((s) => s.runs);
  const config = usePlayground((s) => s.config);
  const repeat = useRepeatView();
  const rows = RUN_IDS.flatMap((id) => {
    const r = runs[id];
    return r ? [{ r, s: summarizeRun(r.evals, r.stepsPerSecond, config.batchSize) }] : [];
  });
  const lsq = runs.lsq;
  const cr = runs['lsq+cr'];
  const gap = lsq && cr ? compareRuns(lsq.evals, cr.evals) : null;
  const final = gap !== null && lsq!.phase === 'done' && cr!.phase === 'done' && gap.step === lsq!.totalSteps && gap.step === cr!.totalSteps;
  const verdict = gap && gapVerdict({ gap: gap.last, final, seeds: seedGain(repeat), spread: presetSpread(config) });
  const seed = shownSeed(repeat);
  return (
    <section className="summary">
      <h2>Summary</h2>
      {seed !== null && (
        <p className="muted small" data-testid="summary-seed">
          These runs are seed={seed}
          {repeat.status === 'running' ? ', the one training now' : ', the last of the repetition'}; the link's seed is {config.seed}.
        </p>
      )}
      <table data-testid="summary-table">
        <thead>
          <tr>
            <th>Run</th>
            <th title="The last test evaluation; after the last step it covers the whole test split">Final test</th>
            <th>EMA teacher</th>
            <th title="The highest of the test evaluations: picked on the test split, so it flatters">
              Best test <span className="muted small">(picked on test)</span>
            </th>
            <th>Steps/s</th>
            <th>Images/s</th>
            <th>Backend</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ r, s }) => (
            <tr key={r.id} data-testid={`summary-${r.id}`}>
              <td style={{ color: RUN_COLORS[r.id], fontWeight: 600 }}>{RUN_LABELS[r.id]}</td>
              <td data-testid={`summary-final-${r.id}`}>
                <strong>{pct(s.finalAccuracy)}</strong>
                {s.finalStep !== null ? <span className="muted small"> @{s.finalStep}</span> : null}
              </td>
              <td>{pct(s.teacherAccuracy)}</td>
              <td className="muted">{pct(s.bestAccuracy)}</td>
              <td>{num(s.stepsPerSecond)}</td>
              <td>{num(s.imagesPerSecond, 0)}</td>
              <td>{r.backend?.name ?? '—'}</td>
            </tr>
          ))}
          {gap && verdict && (
            <tr className="gap" data-testid="summary-gap">
              <td>
                LSQ+CR − LSQ <span className="muted small">up to step {gap.step}</span>
              </td>
              <td data-testid="summary-gap-last">{points(gap.last)}</td>
              <td />
              <td className="muted">{points(gap.best)}</td>
              <td colSpan={3} className="muted small" data-testid="summary-noise" title={verdict.command ? `Spread measured with: ${verdict.command}` : undefined}>
                {verdict.text}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p className="muted small">
        The gap is taken at the last step both runs have tested. Periodic tests use 1,000 test images; the one after the
        last step uses all of them. Images/s counts labeled images; CR also runs the teacher and an unlabeled batch each
        step. Two runs share this machine, so each runs slower than it would alone.
      </p>
    </section>
  );
}
