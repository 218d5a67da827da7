import { savedRuns } from '../app/saved-runs';
import { useSavedRuns } from '../store/saved-runs-store';

/** What became of the saved runs: restored after a reload, of another setup, unreadable, or held by another tab. */
export function SavedRunsBar() {
  const { mode, restored, otherSetup, problems, lastSaved } = useSavedRuns();
  const saved = Object.entries(lastSaved);
  return (
    <div className="saved-runs small" data-testid="saved-runs" data-mode={mode}>
      {mode === 'read-only' && (
        <p className="notice" data-testid="saved-runs-read-only">
          Another tab of this page is training and saving runs. This tab trains without saving, so the two never
          overwrite each other; close the other tab and reload this one to save here.
        </p>
      )}
      {mode === 'unavailable' && <p className="muted">This browser gives the page no storage: runs are not saved.</p>}
      {restored.length > 0 && (
        <p data-testid="saved-runs-restored">
          Restored from the last visit: {restored.map((r) => `${r.label} at step ${r.step}`).join(', ')}. Press Resume to go on.
        </p>
      )}
      {otherSetup && (
        <p data-testid="saved-runs-other">
          Runs saved with another setup ({otherSetup}).{' '}
          <button className="small" onClick={savedRuns.openOther} data-testid="saved-runs-open">
            Open them
          </button>
        </p>
      )}
      {problems.map((p) => (
        <p key={p} className="error" data-testid="saved-runs-problem">
          {p}
        </p>
      ))}
      <p className="muted">
        {mode === 'saving' && (saved.length > 0 ? `Saved: ${saved.map(([l, s]) => `${l} at step ${s}`).join(', ')}. ` : 'Runs are saved in this browser as they train. ')}
        <button className="small" onClick={() => void savedRuns.clear()} data-testid="clear-saved-runs" disabled={mode === 'read-only'}>
          Clear saved runs
        </button>
      </p>
    </div>
  );
}
