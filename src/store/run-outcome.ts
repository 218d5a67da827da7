import type { RunOutcome } from './multi-seed-store';
import type { RunView } from './playground-store';

/**
 * How a run ended, read off its view: done with its final test accuracy (the evaluation after the last step, on the
 * whole test split), or failed and why. Null while it may still go on.
 */
export function runOutcome(run: RunView | undefined): RunOutcome | null {
  if (!run) return null;
  if (run.phase === 'done') {
    const last = run.evals.at(-1);
    if (last && last.step === run.totalSteps) return { ok: true, accuracy: last.accuracy, step: last.step, samples: last.samples };
    return { ok: false, kind: 'failed', reason: 'it finished without a test after its last step' };
  }
  if (run.phase === 'failed') return { ok: false, kind: run.error?.kind ?? 'failed', reason: run.error?.message ?? 'it failed' };
  // An error that left the run waiting (its data could not be loaded, say) ends it too: nothing more will come.
  if (run.error && (run.phase === 'ready' || run.phase === 'paused')) return { ok: false, kind: run.error.kind, reason: run.error.message };
  return null;
}
