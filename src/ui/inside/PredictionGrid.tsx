import { usePlayground } from '../../store/playground-store';
import { ImageThumb } from './ImageThumb';

function Verdict({ who, predicted, label, names }: { who: string; predicted: number; label: number; names: string[] }) {
  const ok = predicted === label;
  return (
    <div className={ok ? 'ok' : 'wrong'}>
      {who}: {names[predicted] ?? predicted} {ok ? '✓' : '✗'}
    </div>
  );
}

/** Test images with the true class and what each student (and the EMA teacher) predicts. */
export function PredictionGrid() {
  const lsq = usePlayground((s) => s.runs.lsq?.inspection ?? null);
  const cr = usePlayground((s) => s.runs['lsq+cr']?.inspection ?? null);
  const base = lsq ?? cr;
  if (!base) return <p className="muted">Predictions appear after the first test evaluation.</p>;
  const pixels = base.height * base.width * base.channels;
  return (
    <div className="prediction-grid" data-testid="prediction-grid">
      {Array.from(base.labels, (label, i) => (
        <figure key={i} className="prediction">
          <ImageThumb pixels={base.images.subarray(i * pixels, (i + 1) * pixels)} width={base.width} height={base.height} channels={base.channels} />
          <figcaption className="small">
            <div className="muted">{base.classNames[label]}</div>
            {lsq && <Verdict who="LSQ" predicted={lsq.student[i]} label={label} names={base.classNames} />}
            {cr && <Verdict who="CR" predicted={cr.student[i]} label={label} names={base.classNames} />}
            {cr?.teacher && <Verdict who="teacher" predicted={cr.teacher[i]} label={label} names={base.classNames} />}
          </figcaption>
        </figure>
      ))}
    </div>
  );
}
