import { useEffect, useMemo, useState } from 'react';
import { usePlayground } from '../../store/playground-store';
import { useUserData, type PoolImage } from '../../store/user-data-store';
import { shapeFromKey, shapeKey } from '../../user-data/images/crop';
import { removeImage } from '../../app/pool-actions';
import type { PoolPredictions } from '../../worker/protocol';
import { runCommands } from '../../app/run-pool';
import { ImageThumb } from '../inside/ImageThumb';
import { useRefreshMarker } from '../inside/use-refresh-marker';

/** Thumbnails per page: enough to browse, few enough that the grid and its predictions stay cheap. */
export const POOL_PAGE = 48;

function lookup(p: PoolPredictions | null | undefined): Map<number, number> {
  const m = new Map<number, number>();
  p?.ids.forEach((id, i) => m.set(id, i));
  return m;
}

function Guess({ who, p, at }: { who: string; p: PoolPredictions; at: number | undefined }) {
  if (at === undefined) return null;
  return (
    <div>
      {who}: {p.classNames[p.student[at]] ?? p.student[at]} <span className="muted">{Math.round(100 * p.studentConfidence[at])}%</span>
    </div>
  );
}

function TeacherGuess({ p, at }: { p: PoolPredictions; at: number | undefined }) {
  if (at === undefined || !p.teacher || !p.teacherConfidence) return null;
  return (
    <div>
      teacher: {p.classNames[p.teacher[at]] ?? p.teacher[at]} <span className="muted">{Math.round(100 * p.teacherConfidence[at])}%</span>
    </div>
  );
}

/** The pool's images as the model sees them (after crop and resize), a page at a time, with each run's guesses. */
export function PoolGrid() {
  const images = useUserData((s) => s.images);
  const target = useUserData((s) => s.target);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(images.length / POOL_PAGE));
  const shown = Math.min(page, pages - 1);
  const visible: PoolImage[] = images.slice(shown * POOL_PAGE, (shown + 1) * POOL_PAGE);
  const visibleKey = visible.map((im) => `${im.id}:${im.shape}`).join(',');

  // Ask again when the visible images change, at every test evaluation, and when a run comes to rest.
  const { marker, anyStep } = useRefreshMarker();
  const key = shapeKey(target);
  useEffect(() => {
    if (anyStep) runCommands.classifyPool(visible.filter((im) => im.shape === key).map((im) => im.id));
  }, [visibleKey, marker, anyStep, key]);

  const lsq = usePlayground((s) => s.runs.lsq?.poolPredictions ?? null);
  const cr = usePlayground((s) => s.runs['lsq+cr']?.poolPredictions ?? null);
  const [atLsq, atCr] = useMemo(() => [lookup(lsq), lookup(cr)], [lsq, cr]);

  if (images.length === 0) return null;
  const at = cr?.step ?? lsq?.step;
  return (
    <div>
      {at !== undefined && <p className="muted small">Guesses at step {at}; they refresh at every test and when the runs stop.</p>}
      {pages > 1 && (
        <div className="pager small" data-testid="pool-pager">
          <button className="small" disabled={shown === 0} onClick={() => setPage(shown - 1)}>
            ‹ Previous
          </button>
          <span>
            Page {shown + 1} of {pages}
          </span>
          <button className="small" disabled={shown >= pages - 1} onClick={() => setPage(shown + 1)}>
            Next ›
          </button>
        </div>
      )}
      <div className="prediction-grid" data-testid="pool-grid">
        {visible.map((im) => {
          const shape = shapeFromKey(im.shape);
          return (
          <figure key={im.id} className="prediction pool-image" data-testid="pool-thumb" title={im.name}>
            <button className="remove" aria-label={`Remove ${im.name}`} title="Remove" onClick={() => removeImage(im.id)} data-testid="pool-remove">
              ×
            </button>
            <ImageThumb pixels={im.pixels} width={shape.width} height={shape.height} channels={shape.channels} />
            <figcaption className="small">
              <div className="muted name">{im.name}</div>
              {im.shape !== key && <div className="muted">resizing…</div>}
              {lsq && <Guess who="LSQ" p={lsq} at={atLsq.get(im.id)} />}
              {cr && <Guess who="CR" p={cr} at={atCr.get(im.id)} />}
              {cr && <TeacherGuess p={cr} at={atCr.get(im.id)} />}
            </figcaption>
          </figure>
          );
        })}
      </div>
    </div>
  );
}
