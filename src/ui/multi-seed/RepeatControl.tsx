import { useEffect, useState } from 'react';
import { parseDecimal } from '../../config/playground-config';
import { repeatRunner } from '../../app/multi-seed-runner';
import { PAIR_RUNS, seedCountProblem, useMultiSeed } from '../../store/multi-seed-store';
import { usePlayground } from '../../store/playground-store';
import { controlState } from '../runs/run-status';

/**
 * "Repeat with N seeds", next to Train: N is typed like any other number (kept as text while edited, used only
 * when valid). Usable when nothing is training or paused and both runs of the pair are set up.
 */
export function RepeatControl({ noData }: { noData: boolean }) {
  const count = useMultiSeed((s) => s.count);
  const setCount = useMultiSeed((s) => s.setCount);
  const repeating = useMultiSeed((s) => s.status === 'running');
  const seed = usePlayground((s) => s.config.seed);
  const cr = usePlayground((s) => s.config.cr);
  const runs = usePlayground((s) => s.runs);
  const [text, setText] = useState(String(count));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setText(String(count));
    setProblem(null);
  }, [count]);

  const c = controlState(Object.values(runs).map((r) => r!));
  const pairReady = PAIR_RUNS.every((id) => {
    const r = runs[id];
    return r !== undefined && r.backend !== null && r.phase !== 'idle' && r.phase !== 'starting';
  });
  // The page's seed may have moved since N was set (seeds stop at 2^31 − 1).
  const shown = problem ?? seedCountProblem(count, seed);
  const usable = cr && !noData && !repeating && !c.running && !c.paused && pairReady && shown === null;
  const onChange = (t: string) => {
    setText(t);
    setProblem(setCount(parseDecimal(t), seed));
  };

  return (
    <span className="repeat" data-testid="repeat-control">
      <button
        data-testid="repeat"
        disabled={!usable}
        onClick={() => repeatRunner.start()}
        title={cr ? 'Trains LSQ and LSQ+CR once per seed (the page’s seed, then the next ones), one seed after another' : 'Needs the LSQ+CR run: turn CR on'}
      >
        Repeat with {count} seeds
      </button>
      <label className="small">
        N{' '}
        <input
          data-testid="repeat-count"
          className="repeat-count"
          inputMode="numeric"
          value={text}
          disabled={repeating}
          aria-invalid={shown !== null}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => {
            setText(String(count));
            setProblem(null);
          }}
        />
      </label>
      {shown !== null && (
        <span className="field-error" role="alert" data-testid="repeat-count-error">
          N {shown}
        </span>
      )}
      {!cr && <span className="muted small">Repeating compares LSQ with LSQ+CR: turn CR on.</span>}
    </span>
  );
}
