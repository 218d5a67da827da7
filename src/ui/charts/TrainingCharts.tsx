import { useMemo, useState } from 'react';
import { RUN_IDS, RUN_LABELS, type RunId } from '../../config/run-config';
import { lineOf } from '../../store/chart-data';
import { lastCommonComparison, sharpnessBand } from '../../store/sharpness-band';
import { usePlayground, type RunView } from '../../store/playground-store';
import { Explain } from '../classroom/Explain';
import { RUN_COLORS } from './colors';
import { OverlayChart, type ChartLine } from './OverlayChart';
import { useRunsField } from './use-run-fields';

function useRuns(): RunView[] {
  const runs = usePlayground((s) => s.runs);
  return useMemo(() => RUN_IDS.flatMap((id) => (runs[id] ? [runs[id]] : [])), [runs]);
}

/** What an empty chart says: why nothing is drawn yet. */
function useEmptyText(): string {
  const runs = useRuns();
  const phases = runs.map((r) => r.phase);
  if (phases.includes('compiling')) {
    const gpu = runs.some((r) => r.backend?.name === 'webgpu');
    return gpu ? 'First step: compiling the WebGPU shaders… (seconds; later steps are fast)' : 'First step: warming up…';
  }
  if (phases.includes('loading-data')) return 'Loading the dataset…';
  if (phases.includes('starting')) return 'Starting the training engine…';
  return 'Press Train (or the space bar) to start.';
}

const label = (id: RunId, what: string) => `${RUN_LABELS[id]} ${what}`;

export function LossChart() {
  const runs = useRuns();
  const empty = useEmptyText();
  const lines = useMemo<ChartLine[]>(
    () =>
      runs.flatMap((r) => {
        const ce: ChartLine = { ...lineOf(`${r.id}:ce`, r.rows, (x) => x.ce), label: label(r.id, 'cross-entropy'), color: RUN_COLORS[r.id] };
        if (r.id !== 'lsq+cr') return [ce];
        return [ce, { ...lineOf(`${r.id}:cons`, r.rows, (x) => x.consistency), label: label(r.id, 'consistency (KL)'), color: RUN_COLORS[r.id], dashed: true }];
      }),
    [runs],
  );
  return <OverlayChart id="loss" title="Training loss: cross-entropy and consistency" lines={lines} empty={empty} logScalable />;
}

export function AccuracyChart() {
  const runs = useRuns();
  const empty = useEmptyText();
  const lines = useMemo<ChartLine[]>(
    () =>
      runs.flatMap((r) => {
        const out: ChartLine[] = [
          { ...lineOf(`${r.id}:train`, r.rows, (x) => x.accuracy), label: label(r.id, 'train (batch)'), color: RUN_COLORS[r.id] + '66' },
          { ...lineOf(`${r.id}:test`, r.evals, (e) => e.accuracy), label: label(r.id, 'test'), color: RUN_COLORS[r.id], dots: true },
        ];
        if (r.evals.some((e) => e.teacherAccuracy !== null)) {
          out.push({ ...lineOf(`${r.id}:teacher`, r.evals, (e) => e.teacherAccuracy), label: label(r.id, 'EMA teacher test'), color: RUN_COLORS[r.id], dashed: true, dots: true });
        }
        return out;
      }),
    [runs],
  );
  return <OverlayChart id="accuracy" title="Accuracy: student and teacher, train and test" lines={lines} empty={empty} percent />;
}

export function LambdaChart() {
  const runs = useRuns();
  const cr = runs.find((r) => r.id === 'lsq+cr');
  const lines = useMemo<ChartLine[]>(() => (cr ? [{ ...lineOf('lambda', cr.rows, (x) => x.lambda), label: 'λ(t)', color: RUN_COLORS['lsq+cr'] }] : []), [cr]);
  return <OverlayChart id="lambda" title="λ(t): weight of the consistency term" lines={lines} empty={cr ? 'λ appears with the first step.' : 'CR is off: no λ.'} />;
}

export function LearningRateChart() {
  const runs = useRuns();
  const empty = useEmptyText();
  // Both runs follow the same schedule; one line says it.
  const first = runs[0];
  const lines = useMemo<ChartLine[]>(() => (first ? [{ ...lineOf('lr', first.rows, (x) => x.lr), label: 'learning rate', color: '#475569' }] : []), [first]);
  return <OverlayChart id="lr" title="Learning rate (cosine schedule)" lines={lines} empty={empty} logScalable />;
}

/** "fc2/w.step" → layer "fc2", quantizer "w". */
function splitStepName(name: string): { layer: string; what: string } {
  const i = name.lastIndexOf('/');
  return { layer: name.slice(0, i), what: name.slice(i + 1).replace(/\.step$/, '') };
}

const WHAT_LABEL: Record<string, string> = { w: 'weight step', in: 'input step' };

export function StepSizeChart() {
  const runs = useRuns();
  const empty = useEmptyText();
  const names = runs.find((r) => r.stepSizeNames.length > 0)?.stepSizeNames ?? [];
  const layers = [...new Set(names.map((n) => splitStepName(n).layer))];
  const [chosen, setChosen] = useState<string | null>(null);
  const layer = chosen !== null && layers.includes(chosen) ? chosen : layers[Math.min(1, layers.length - 1)] ?? null;
  const lines = useMemo<ChartLine[]>(
    () =>
      runs.flatMap((r) =>
        r.stepSizeNames
          .filter((n) => splitStepName(n).layer === layer)
          .map((n) => {
            const what = splitStepName(n).what;
            return { ...lineOf(`${r.id}:${n}`, r.stepSizeRows, (x) => x[n]), label: label(r.id, WHAT_LABEL[what] ?? what), color: RUN_COLORS[r.id], dashed: what !== 'w' };
          }),
      ),
    [runs, layer],
  );
  return (
    <OverlayChart id="step-sizes" title="Learned step sizes s (LSQ)" lines={lines} empty={names.length === 0 && runs.length > 0 && runs[0].step > 0 ? 'Nothing is quantized in this setup.' : empty} logScalable>
      {layers.length > 0 && (
        <label className="small">
          Layer{' '}
          <select value={layer ?? ''} onChange={(e) => setChosen(e.target.value)} data-testid="step-size-layer">
            {layers.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
      )}
    </OverlayChart>
  );
}

/** The live top Hessian eigenvalue per run (sharpness), each estimate with its uncertainty, and what the estimates cost. */
export function HessianChart() {
  const runs = useRuns();
  const mode = usePlayground((s) => s.config.sharpness);
  const every = usePlayground((s) => s.config.sharpnessEvery);
  // Built from the estimates alone: the chart is not redrawn for every metrics batch, only for a new estimate.
  const sharpness = useRunsField('sharpness');
  const lines = useMemo<ChartLine[]>(
    () =>
      sharpness.map(({ id, value: estimates }) => {
        // The shaded band is value ± the residual bound of each estimate.
        const band = sharpnessBand(estimates);
        return {
          ...lineOf(`${id}:top`, estimates, (e) => e.value),
          label: label(id, 'top eigenvalue'),
          color: RUN_COLORS[id],
          dots: true,
          band: { lo: lineOf(`${id}:lo`, band, (b) => b.lo), hi: lineOf(`${id}:hi`, band, (b) => b.hi) },
        };
      }),
    [sharpness],
  );
  const verdict = useSharpnessVerdict(runs);
  const cost = runs.filter((r) => r.sharpnessShare !== null).map((r) => `${RUN_LABELS[r.id]} ${(100 * r.sharpnessShare!).toFixed(0)}%`);
  const empty = mode === 'off' ? 'Live Hessian estimates are off (Sharpness in the settings).' : `The first estimate comes at step ${every}.`;
  return (
    <OverlayChart id="hessian" title="Sharpness: top Hessian eigenvalue of the training loss" lines={lines} empty={empty} logScalable>
      <p className="small muted" data-testid="hessian-cost">
        {mode === 'off'
          ? 'Off.'
          : `Every ${every} steps, ${mode} (Lanczos from the previous eigenvector, finite-difference Hessian-vector products on a fixed batch).${cost.length > 0 ? ` Share of time spent on it: ${cost.join(', ')}.` : ''} The shaded band around each estimate is its uncertainty, ± the residual ‖Hv − λv‖.`}
      </p>
      {verdict && (
        <p className="small" data-testid="hessian-verdict">
          {verdict}
        </p>
      )}
      <Explain id="sharpnessBand" />
    </OverlayChart>
  );
}

/** One sentence on LSQ+CR against LSQ at their last common estimate, counting both bands. */
function useSharpnessVerdict(runs: readonly RunView[]): string | null {
  const lsq = runs.find((r) => r.id === 'lsq');
  const cr = runs.find((r) => r.id === 'lsq+cr');
  if (!lsq || !cr) return null;
  const c = lastCommonComparison(cr.sharpness, lsq.sharpness);
  if (!c) return null;
  const pm = (x: { value: number; spread: number }) => `${x.value.toPrecision(3)} ± ${x.spread.toPrecision(2)}`;
  const at = `At step ${c.step}: LSQ+CR ${pm(c.a)}, LSQ ${pm(c.b)}.`;
  if (c.verdict === 'within') return `${at} The bands overlap: the difference is within the estimates' uncertainty, not a sign of a flatter minimum.`;
  return `${at} LSQ+CR is ${c.verdict === 'lower' ? 'flatter' : 'sharper'} by more than both bands.`;
}
