import { RUN_IDS, RUN_LABELS, type RunId } from '../../config/run-config';
import { usePlayground } from '../../store/playground-store';
import { ImageThumb } from '../inside/ImageThumb';

export interface OpenedCell {
  run: RunId;
  model: 'student' | 'teacher';
  truth: number;
  predicted: number;
}

/** One model's verdict on an image; -1: that run had not evaluated it. */
function Verdict({ who, predicted, label, names }: { who: string; predicted: number; label: number; names: readonly string[] }) {
  if (predicted < 0) return <div className="muted">{who}: —</div>;
  const ok = predicted === label;
  return (
    <div className={ok ? 'ok' : 'wrong'}>
      {who}: {names[predicted] ?? predicted} {ok ? '✓' : '✗'}
    </div>
  );
}

/** The test images of the opened cell, with what every run (and the teacher) predicted for them at its last evaluation. */
export function CellImagesView({ opened }: { opened: OpenedCell }) {
  const runs = usePlayground((s) => s.runs);
  const cell = runs[opened.run]?.cell;
  const fits = cell && cell.truth === opened.truth && cell.predicted === opened.predicted && cell.model === opened.model;
  if (!fits) return <p className="muted small">Asking {RUN_LABELS[opened.run]} for the images of this cell…</p>;
  const names = cell.classNames;
  const pixels = cell.height * cell.width * cell.channels;
  const who = `${RUN_LABELS[opened.run]}${opened.model === 'teacher' ? ' teacher' : ''}`;
  // What the other runs predicted for these images, position by position.
  const others = RUN_IDS.filter((id) => id !== opened.run).flatMap((id) => {
    const p = runs[id]?.testPredictions;
    if (!p || p.indices.length !== cell.indices.length || p.indices.some((v, k) => v !== cell.indices[k])) return [];
    return [{ id, p }];
  });
  return (
    <div data-testid="cell-images">
      <p className="small">
        {who} put {cell.total} test image{cell.total === 1 ? '' : 's'} of {names[cell.truth]} into {names[cell.predicted]} at step {cell.step}
        {cell.total > cell.indices.length ? `; the first ${cell.indices.length} are shown` : ''}.
      </p>
      <div className="prediction-grid">
        {Array.from(cell.indices, (idx, k) => (
          <figure key={idx} className="prediction" data-testid="cell-image">
            <ImageThumb pixels={cell.images.subarray(k * pixels, (k + 1) * pixels)} width={cell.width} height={cell.height} channels={cell.channels} />
            <figcaption className="small">
              <div className="muted">
                #{idx} {names[cell.truth]}
              </div>
              <Verdict who={RUN_LABELS[opened.run]} predicted={cell.student[k]} label={cell.truth} names={names} />
              {cell.teacher && <Verdict who="teacher" predicted={cell.teacher[k]} label={cell.truth} names={names} />}
              {others.map(({ id, p }) => (
                <div key={id}>
                  <Verdict who={RUN_LABELS[id]} predicted={p.student[k]} label={cell.truth} names={names} />
                  {p.teacher && <Verdict who={`${RUN_LABELS[id]} teacher`} predicted={p.teacher[k]} label={cell.truth} names={names} />}
                </div>
              ))}
            </figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}
