import { useEffect } from 'react';
import { RUN_IDS } from '../../config/run-config';
import { SHIPPED_DATASET } from '../../config/playground-config';
import { usePlayground } from '../../store/playground-store';
import { useUserData } from '../../store/user-data-store';
import { datasetLabel } from '../controls/dataset-options';
import { runCommands } from '../../app/run-pool';
import { repeatRunner } from '../../app/multi-seed-runner';
import { useMultiSeed } from '../../store/multi-seed-store';
import { RepeatControl } from '../multi-seed/RepeatControl';
import { controlState } from './run-status';
import { RunCard } from './RunCard';

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName) || target.isContentEditable);
}

/** The shared buttons (both runs move together) and one card per run. Space plays and pauses. */
export function RunBar() {
  const runsById = usePlayground((s) => s.runs);
  const dataset = usePlayground((s) => s.config.dataset);
  const runs = RUN_IDS.flatMap((id) => (runsById[id] ? [runsById[id]] : []));
  const c = controlState(runs);
  const loaded = useUserData((s) => s.datasets.some((d) => d.id === dataset));
  const noData = dataset !== SHIPPED_DATASET && !loaded;
  const repeating = useMultiSeed((s) => s.status === 'running');
  const play = () => {
    // Pausing a repetition stops it: the seeds already finished stay.
    if (repeating) repeatRunner.stop();
    else if (c.canPause) runCommands.pause();
    else if (c.canPlay && !noData) (c.paused ? runCommands.resume : runCommands.start)();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || isTyping(e.target) || e.repeat) return;
      e.preventDefault();
      play();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <section className="run-bar">
      <div className="buttons">
        <button
          className="primary"
          data-testid="train"
          disabled={!(repeating || c.canPause || (c.canPlay && !noData))}
          onClick={play}
          title={repeating ? 'Stops the repetition; finished seeds stay (space bar)' : 'Space bar'}
        >
          {repeating ? 'Pause' : c.canPause ? 'Pause' : c.paused ? 'Resume' : 'Train'}
        </button>
        <button data-testid="step" disabled={repeating || !c.canStep || noData} onClick={runCommands.step} title="One step of every run">
          Step
        </button>
        <button data-testid="reset" disabled={!(repeating || c.canReset)} onClick={repeatRunner.reset} title="Back to step 0, same settings (and the page's seed)">
          Reset
        </button>
        <RepeatControl noData={noData} />
        <span className="muted small">Space: play / pause</span>
      </div>
      {noData && (
        <p className="notice" data-testid="no-data">
          {datasetLabel(dataset)} is not loaded on this page: load its files under <a href="#your-data" onClick={(e) => { e.preventDefault(); document.getElementById('your-data')?.scrollIntoView(); }}>Bring your own data</a>, or pick Fashion-MNIST to train.
        </p>
      )}
      <div className="run-cards">
        {runs.map((r) => (
          <RunCard key={r.id} run={r} />
        ))}
      </div>
    </section>
  );
}
