import { RUN_LABELS, type RunId } from '../../config/run-config';
import { usePlayground } from '../../store/playground-store';
import { useUserData } from '../../store/user-data-store';
import { describeShape } from '../../user-data/images/crop';
import { poolCapacity } from '../../user-data/images/limits';
import { addImageFiles, cancelImageImports, clearImages } from '../../app/pool-actions';
import { DropZone } from './DropZone';
import { PoolGrid } from './PoolGrid';
import { RefusedList } from './RefusedList';

const fmt = (n: number) => n.toLocaleString('en-US');

/** What each run's unlabeled pool holds, as its Worker reported it. */
function RunPools() {
  const runs = usePlayground((s) => s.runs);
  const rows = (Object.keys(runs) as RunId[]).flatMap((id) => {
    const p = runs[id]?.pool;
    if (!p) return [];
    return [
      <li key={id} data-testid={`pool-size-${id}`}>
        {RUN_LABELS[id]}:{' '}
        {p.used ? (
          <>
            draws unlabeled images from a pool of <b>{fmt(p.size)}</b> ({fmt(p.size - p.added)} from the training split + <b>{fmt(p.added)}</b> of yours)
          </>
        ) : (
          <>does not use unlabeled images; its guesses are shown for comparison</>
        )}
      </li>,
    ];
  });
  return rows.length > 0 ? <ul className="small pool-sizes">{rows}</ul> : <p className="muted small">Each run reports the size of its pool when it starts.</p>;
}

export function PoolPanel() {
  const count = useUserData((s) => s.images.length);
  const target = useUserData((s) => s.target);
  const progress = useUserData((s) => s.progress);
  const adding = progress.filter((p) => p.what === 'adding');
  const resizing = progress.find((p) => p.what === 'resizing');
  const done = adding.reduce((a, p) => a + p.done, 0);
  const total = adding.reduce((a, p) => a + p.total, 0);
  return (
    <div className="pool-panel" data-testid="pool-panel">
      <h3>Your unlabeled images</h3>
      <p className="small">
        Add photos or drawings: they join the unlabeled pool of the LSQ+CR run (the consistency term needs no labels), now if it is
        running, or at its next start. Each image is centre-cropped and resized to the model's input, <b>{describeShape(target)}</b>,
        exactly as shown below.
      </p>
      <p className="small notice">
        CR assumes <i>in-distribution</i> unlabeled data: images unlike the training set (a cat photo for a clothes classifier) give the
        teacher nothing sensible to agree on, and weaken CR rather than help it.
      </p>
      <DropZone onFiles={addImageFiles} accept="image/*" folders testId="image-drop">
        Drop images or folders here (PNG, JPEG, GIF, WebP, BMP, AVIF…)
      </DropZone>
      {total > 0 && (
        <div className="progress-row small" data-testid="pool-progress">
          <progress max={total} value={done} /> Adding {fmt(done)} of {fmt(total)}…{' '}
          <button className="small" onClick={cancelImageImports}>
            Stop
          </button>
        </div>
      )}
      {resizing && (
        <div className="progress-row small">
          <progress max={resizing.total} value={resizing.done} /> Resizing your images for {describeShape(target)}…
        </div>
      )}
      <div className="pool-summary small">
        <span data-testid="pool-count">
          {fmt(count)} image{count === 1 ? '' : 's'} of yours
        </span>
        <span className="muted"> (at most {fmt(poolCapacity(target))})</span>
        {count > 0 && (
          <button className="small" onClick={clearImages} data-testid="pool-clear">
            Clear all
          </button>
        )}
      </div>
      <RunPools />
      <PoolGrid />
      <RefusedList />
    </div>
  );
}
