import { useMemo, useRef, type ReactNode } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { chartToPng } from '../../export/chart-png';
import { downloadBlob } from '../../export/download';
import { describeSettingsChange } from '../../engine/vocabulary/settings-change';
import { overlay, type OverlayLine } from '../../store/chart-data';
import { usePlayground } from '../../store/playground-store';

export interface ChartLine extends OverlayLine {
  label: string;
  color: string;
  dashed?: boolean;
  /** Draw a dot at each point (sparse series such as test accuracy). */
  dots?: boolean;
}

interface Props {
  id: string;
  title: string;
  lines: readonly ChartLine[];
  /** Shown instead of the chart while there is nothing to draw. */
  empty: ReactNode;
  /** Whether the page's log-scale toggle applies (not for accuracies or λ). */
  logScalable?: boolean;
  percent?: boolean;
  children?: ReactNode;
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 3 });

/** Axis ticks stay short whatever the scale (a diverging loss reaches 1e5 and more). */
function tick(v: number, percent: boolean): string {
  if (percent) return `${Math.round(100 * v)}%`;
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? (a >= 1e4 ? compact.format(v) : v.toExponential(1)) : Number(v.toPrecision(3)).toString();
}

const fmt = (percent: boolean) => (v: unknown) => (typeof v === 'number' ? (percent ? `${(100 * v).toFixed(1)}%` : v.toPrecision(4)) : String(v));

/** Where settings were changed mid-run: one marker per step, as the runs reported applying them. */
function useSettingsMarkers(): { step: number; label: string }[] {
  const runs = usePlayground((s) => s.runs);
  return useMemo(() => {
    const byStep = new Map<number, string>();
    for (const r of Object.values(runs)) for (const c of r!.settingsChanges) byStep.set(c.step, describeSettingsChange(c.change));
    return [...byStep].map(([step, label]) => ({ step, label }));
  }, [runs]);
}

/**
 * Runs overlaid on one step axis, one colour per run, hover values, animation off (it redraws a few times a
 * second), and a PNG download of what is drawn.
 */
export function OverlayChart({ id, title, lines, empty, logScalable = false, percent = false, children }: Props) {
  const logScale = usePlayground((s) => s.logScale) && logScalable;
  const data = useMemo(() => overlay(lines, logScale), [lines, logScale]);
  const box = useRef<HTMLDivElement>(null);
  const savePng = async () => {
    const svg = box.current?.querySelector('svg.recharts-surface');
    if (svg instanceof SVGSVGElement) downloadBlob(await chartToPng(svg, title), `${id}.png`);
  };
  const format = fmt(percent);
  const markers = useSettingsMarkers();
  return (
    <section className="chart-card" data-testid={`chart-${id}`}>
      <header>
        <h3>{title}</h3>
        <button className="small" onClick={savePng} disabled={data.length === 0} title="Download this chart as PNG" data-testid={`png-${id}`}>
          PNG
        </button>
      </header>
      {children}
      <div className="chart-box" ref={box}>
        {data.length === 0 ? (
          <div className="chart-empty">{empty}</div>
        ) : (
          <ResponsiveContainer>
            {/* One cursor across every step chart: hovering a step shows each run's value there on all of them. */}
            <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} syncId="steps" syncMethod="value">
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDecimals={false} />
              <YAxis
                scale={logScale ? 'log' : 'auto'}
                domain={logScale ? ['auto', 'auto'] : percent ? [0, 1] : ['auto', 'auto']}
                tickFormatter={(v: number) => tick(v, percent)}
                width={52}
                allowDataOverflow={logScale}
              />
              <Tooltip formatter={format} labelFormatter={(s) => `step ${s}`} isAnimationActive={false} />
              <Legend />
              {markers.map((m) => (
                <ReferenceLine key={m.step} x={m.step} stroke="#7c3aed" strokeDasharray="4 3" label={{ value: m.label, position: 'insideTopRight', fontSize: 10, fill: '#7c3aed' }} data-testid="settings-marker" />
              ))}
              {lines.map((l) => (
                <Line
                  key={l.key}
                  dataKey={l.key}
                  name={l.label}
                  stroke={l.color}
                  strokeDasharray={l.dashed ? '5 4' : undefined}
                  dot={l.dots ? { r: 2 } : false}
                  strokeWidth={l.dots ? 2 : 1.5}
                  connectNulls
                  isAnimationActive={false}
                  type="linear"
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}
