import { RUN_LABELS } from '../../config/run-config';
import { finishedPairs, PAIR_RUNS, seedGain, seedInTraining, useRepeatView, type RepeatView, type RunOutcome, type SeedPair } from '../../store/multi-seed-store';
import { pairedVerdict, points, winsText } from '../../store/seed-noise';
import { RUN_COLORS } from '../charts/colors';
import { Explain } from '../classroom/Explain';

const outcomeText = (o: RunOutcome | null, training: boolean) =>
  o === null ? (training ? 'training…' : '—') : o.ok ? `${(100 * o.accuracy).toFixed(2)}%` : `failed (${o.kind})`;

function gapText(p: SeedPair): string {
  const a = p.lsq;
  const b = p['lsq+cr'];
  return a?.ok && b?.ok ? points(100 * (b.accuracy - a.accuracy)) : '—';
}

/** Where the repetition stands, in one line. */
function statusText(s: RepeatView): string {
  const total = s.plan?.seeds.length ?? 0;
  const done = finishedPairs(s).length;
  const now = seedInTraining(s);
  if (now) return `Training seed ${now.index} of ${now.of} (seed=${now.seed}); ${done} finished.`;
  if (s.status === 'finished') return `Finished all ${total} seeds.`;
  return `Stopped after ${done} of ${total} seed${total === 1 ? '' : 's'}.`;
}

/**
 * The repetition's results: each seed's final test accuracy of both runs and their difference, the paired mean gain
 * with its 95% interval, and how many seeds CR won.
 */
export function MultiSeedTable() {
  const state = useRepeatView();
  const { status, plan, pairs } = state;
  if (status === 'idle' || !plan) return null;
  const gain = seedGain(state);
  const failed = finishedPairs(state).filter((p) => !(p.lsq?.ok && p['lsq+cr']?.ok));
  const queued = plan.seeds.slice(pairs.length);
  const first = plan.seeds[0];
  const last = plan.seeds.at(-1)!;
  return (
    <section className="summary multi-seed" data-testid="multi-seed">
      <h2>Repeated over seeds {first}–{last}</h2>
      <p data-testid="multi-seed-status">{statusText(state)}</p>
      <table data-testid="multi-seed-table">
        <thead>
          <tr>
            <th>Seed</th>
            {PAIR_RUNS.map((id) => (
              <th key={id} style={{ color: RUN_COLORS[id] }}>
                {RUN_LABELS[id]} <span className="muted small">final test</span>
              </th>
            ))}
            <th>CR − LSQ</th>
          </tr>
        </thead>
        <tbody>
          {pairs.map((p, i) => {
            const training = status === 'running' && i === pairs.length - 1;
            return (
              <tr key={p.seed} data-testid={`multi-seed-row-${p.seed}`} className={training ? 'training' : undefined}>
                <td>{p.seed}</td>
                {PAIR_RUNS.map((id) => {
                  const o = p[id];
                  return (
                    <td key={id} title={o && !o.ok ? o.reason : undefined} data-testid={`multi-seed-${id}-${p.seed}`}>
                      {outcomeText(o, training)}
                    </td>
                  );
                })}
                <td>{gapText(p)}</td>
              </tr>
            );
          })}
          {status === 'running' &&
            queued.map((seed) => (
              <tr key={seed} className="muted">
                <td>{seed}</td>
                <td colSpan={3}>queued</td>
              </tr>
            ))}
          {gain && (
            <tr className="gap" data-testid="multi-seed-mean">
              <td>Mean gain</td>
              <td colSpan={2} className="muted">
                paired over {gain.n} seed{gain.n === 1 ? '' : 's'}
                {gain.interval ? `, 95% interval ${gain.interval[0].toFixed(2)} to ${gain.interval[1].toFixed(2)} pts` : ''}
              </td>
              <td>{points(gain.mean)}</td>
            </tr>
          )}
        </tbody>
      </table>
      {gain && (
        <p>
          <strong data-testid="multi-seed-wins">{winsText(gain)}</strong>
          {' · '}
          <span data-testid="multi-seed-verdict">{pairedVerdict(gain).text}</span>
        </p>
      )}
      {failed.length > 0 && (
        <p className="muted small" data-testid="multi-seed-failed">
          Left out of the mean (a run failed): seed{failed.length === 1 ? '' : 's'} {failed.map((p) => p.seed).join(', ')}. Hover a cell for the reason.
        </p>
      )}
      <p className="muted small">
        Final test: the evaluation after the last step, on the whole test split. Every seed uses{' '}
        <a href={`#${plan.hash}`} data-testid="multi-seed-link">
          this setup
        </a>{' '}
        with only the seed changed; the FP32 reference is not repeated.
      </p>
      <Explain id="seeds" />
    </section>
  );
}
