import { useState } from 'react';
import { runCommands } from '../../app/run-pool';
import { RUN_LABELS } from '../../config/run-config';
import { confusionDiff } from '../../engine/vocabulary/confusion';
import { CellImagesView, type OpenedCell } from './CellImagesView';
import { ConfusionMatrixTable } from './ConfusionMatrixTable';
import { useClassSeries } from './use-class-series';

/** The confusion matrices of the latest evaluations, side by side or as LSQ+CR − LSQ; a cell opens its images. */
export function ConfusionView() {
  const { series, classNames } = useClassSeries();
  const [mode, setMode] = useState<'side' | 'diff'>('side');
  const [opened, setOpened] = useState<OpenedCell | null>(null);
  if (series.length === 0) return <p className="muted">Confusion matrices appear with the first test evaluation.</p>;
  const lsq = series.find((s) => s.run === 'lsq' && !s.teacher);
  const cr = series.find((s) => s.run === 'lsq+cr' && !s.teacher);
  const canDiff = !!lsq && !!cr && lsq.matrix.length === cr.matrix.length;
  const shown = mode === 'diff' && canDiff ? 'diff' : 'side';
  const open = (cell: OpenedCell) => {
    setOpened(cell);
    runCommands.openCell(cell.run, cell.truth, cell.predicted, cell.model);
  };
  const pickedIn = (run: OpenedCell['run'], model: OpenedCell['model']) =>
    opened && opened.run === run && opened.model === model ? { truth: opened.truth, predicted: opened.predicted } : null;
  return (
    <div data-testid="confusion">
      <label className="small">
        Show{' '}
        <select value={shown} onChange={(e) => setMode(e.target.value as 'side' | 'diff')} data-testid="confusion-mode">
          <option value="side">each model's matrix</option>
          <option value="diff" disabled={!canDiff}>
            the difference LSQ+CR − LSQ
          </option>
        </select>
      </label>
      <div className="confusion-row">
        {shown === 'diff' && lsq && cr ? (
          <ConfusionMatrixTable
            title={`LSQ+CR − LSQ (green: better, red: worse); a cell opens LSQ+CR's images in it`}
            matrix={confusionDiff(cr.matrix, lsq.matrix)}
            classNames={classNames}
            diff
            testId="confusion-diff"
            selected={pickedIn('lsq+cr', 'student')}
            onPick={(truth, predicted) => open({ run: 'lsq+cr', model: 'student', truth, predicted })}
          />
        ) : (
          series.map((s) => (
            <ConfusionMatrixTable
              key={s.key}
              title={`${RUN_LABELS[s.run]}${s.teacher ? ' EMA teacher' : ''}, step ${s.step}`}
              matrix={s.matrix}
              classNames={classNames}
              testId={`confusion-${s.key.replace(/[+:]/g, '-')}`}
              selected={pickedIn(s.run, s.teacher ? 'teacher' : 'student')}
              onPick={(truth, predicted) => open({ run: s.run, model: s.teacher ? 'teacher' : 'student', truth, predicted })}
            />
          ))
        )}
      </div>
      {opened && <CellImagesView opened={opened} />}
    </div>
  );
}
