import { RUN_LABELS } from '../../config/run-config';
import { describeAdapter, describeTimings } from '../../engine/vocabulary/backends';
import { shownSeed, useRepeatView } from '../../store/multi-seed-store';
import type { RunView } from '../../store/playground-store';
import { runCommands } from '../../app/run-pool';
import { RUN_COLORS } from '../charts/colors';
import { PHASE_TEXT } from './run-status';

const ERROR_ADVICE: Record<string, string> = {
  diverged: 'The loss became NaN or infinite: try a lower learning rate or λ_max.',
  'device-lost': 'The GPU stopped answering; another backend may carry on.',
  crashed: 'The Worker that trained this run stopped.',
  failed: '',
};

/** One run: its backend, progress, speed, and when it fails, what happened and a way to restart. */
export function RunCard({ run }: { run: RunView }) {
  const b = run.backend;
  const webgpu = b?.name === 'webgpu';
  // A restart trains the page's seed: during or after a repetition this run holds another one.
  const otherSeed = shownSeed(useRepeatView()) !== null && run.id !== 'fp32';
  // A lost device or a crashed Worker: the run continues from its last checkpoint (step 0 if it has none yet).
  const resumable = run.error?.kind === 'device-lost' || run.error?.kind === 'crashed';
  return (
    <article className="run-card" data-testid={`run-${run.id}`} style={{ borderColor: RUN_COLORS[run.id] }}>
      <h3 style={{ color: RUN_COLORS[run.id] }}>{RUN_LABELS[run.id]}</h3>
      <p data-testid={`backend-${run.id}`} className="small">
        {b ? (
          <>
            Backend: <strong>{b.name}</strong>
            {b.adapter ? ` on ${describeAdapter(b.adapter)}` : ''}
            {b.detail ? ` (${b.detail})` : ''}
          </>
        ) : (
          'Starting the training engine…'
        )}
      </p>
      {b?.measured && (
        <p className="small muted" data-testid={`backend-timing-${run.id}`}>
          Chosen by timing {b.measured.workload}: {describeTimings(b.measured)}; {b.measured.chosen} is {b.measured.reason}
          {b.measured.remembered ? ' (measured earlier on this machine)' : ''}.
        </p>
      )}
      {b && b.fallbacks.length > 0 && (
        <details className="small muted" data-testid={`fallbacks-${run.id}`}>
          <summary>Why not another backend</summary>
          <ul>
            {b.fallbacks.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </details>
      )}
      <p data-testid={`status-${run.id}`}>
        {PHASE_TEXT[run.phase]} · step <span data-testid={`step-${run.id}`}>{run.step}</span> / {run.totalSteps}
        {run.stepsPerSecond !== null ? ` · ${run.stepsPerSecond.toFixed(1)} steps/s` : ''}
      </p>
      <progress max={Math.max(1, run.totalSteps)} value={run.step} />
      {run.error && (
        <div role="alert" className="error-box" data-testid={`error-${run.id}`}>
          <p>
            <strong>{run.error.kind === 'failed' ? 'Error' : 'Stopped'}:</strong> {run.error.message}
          </p>
          {ERROR_ADVICE[run.error.kind] && <p className="small">{ERROR_ADVICE[run.error.kind]} What was measured so far stays on the charts.</p>}
          {otherSeed ? (
            <p className="small">This seed counts as failed in the repetition, which goes on with any seeds left. Reset goes back to the page's seed.</p>
          ) : (
            <button onClick={() => runCommands.restart(run.id)} data-testid={`restart-${run.id}`}>
              {resumable ? 'Continue from the last checkpoint' : 'Restart this run'}
            </button>
          )}
          {!otherSeed && (webgpu || run.error.kind === 'device-lost') && (
            <button onClick={() => runCommands.restart(run.id, 'wasm')} data-testid={`restart-wasm-${run.id}`}>
              {resumable ? 'Continue on wasm (CPU)' : 'Restart on wasm (CPU)'}
            </button>
          )}
        </div>
      )}
    </article>
  );
}
