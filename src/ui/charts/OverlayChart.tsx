import { memo, useMemo, useRef, type ReactNode } from 'react';
import { Area, CartesianGrid, ComposedChart, Curve, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis, type LineDrawShapeProps } from 'recharts';
import { chartToPng } from '../../export/chart-png';
import { downloadBlob } from '../../export/download';
import { overlay, thinRows, type OverlayLine, type OverlayRow } from '../../store/chart-data';
import { usePlayground } from '../../store/playground-store';
import { useSettingsMarkers } from './use-run-fields';
import { useFrameValue } from './use-frame-value';

export interface ChartLine extends OverlayLine {
  label: string;
  color: string;
  dashed?: boolean;
  /** Draw a dot at each point (sparse series such as test accuracy). */
  dots?: boolean;
  /** A shaded band around the line, from `lo` to `hi` at each of its points (an estimate's uncertainty). */
  band?: { lo: OverlayLine; hi: OverlayLine };
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

/** The [lo, hi] of a band at one row, or null where either edge is missing (a gap). */
const bandAt = (lo: string, hi: string) => (row: OverlayRow) => (row[lo] == null || row[hi] == null ? null : [row[lo], row[hi]]);

/** A hovered value, followed by its band's half-width where the line has one: "12.3 ± 0.4". */
function withBand(format: (v: unknown) => string, lines: readonly ChartLine[]) {
  const bands = new Map(lines.flatMap((l) => (l.band ? [[l.key, l.band] as const] : [])));
  return (v: unknown, _name: unknown, item: { dataKey?: unknown; payload?: OverlayRow }) => {
    const band = typeof item.dataKey === 'string' ? bands.get(item.dataKey) : undefined;
    const lo = band && item.payload?.[band.lo.key];
    const hi = band && item.payload?.[band.hi.key];
    return typeof lo === 'number' && typeof hi === 'number' ? `${format(v)} ± ${((hi - lo) / 2).toPrecision(2)}` : format(v);
  };
}

// Props that keep their identity from one redraw to the next, so recharts does not recompute axes for them.
const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
const X_DOMAIN: [number, string] = [0, 'dataMax'];
const AUTO_DOMAIN: [string, string] = ['auto', 'auto'];
const PERCENT_DOMAIN: [number, number] = [0, 1];
const FORMAT = { percent: fmt(true), plain: fmt(false) };
const TICK = { percent: (v: number) => tick(v, true), plain: (v: number) => tick(v, false) };
const stepLabel = (s: unknown) => `step ${s}`;
// Tick labels are single numbers: without a width, recharts does not measure their words in the DOM to wrap them
// (a forced layout for every new label).
const TICK_TEXT = { width: 0 };
const DOT = { r: 2 };
/** Rows a chart draws at most: about one per pixel of its width (the store keeps up to 2,000 a line). */
const CHART_ROWS = 500;

/**
 * A line's path without the ref through which recharts reads the path's length (getTotalLength, a forced layout) at
 * every redraw of every line: only its entrance animation needs the length, and animations are off.
 */
function StaticLine({ pathRef: _path, animationElapsedTime: _t, isAnimating: _a, isEntrance: _e, visibleLength: _v, ...curve }: LineDrawShapeProps) {
  return <Curve {...curve} />;
}

/**
 * Runs overlaid on one step axis, one colour per run, hover values, animation off, and a PNG download of what is
 * drawn. New lines are drawn in the chart's turn (use-frame-value.ts): every chart gets each metrics batch at once,
 * and redrawing all of them in one task stalled the page.
 */
export const OverlayChart = memo(function OverlayChart({ id, title, lines: latestLines, empty, logScalable = false, percent = false, children }: Props) {
  const latestLog = usePlayground((s) => s.logScale) && logScalable;
  const latestMarkers = useSettingsMarkers();
  const streaming = usePlayground((s) => Object.values(s.runs).some((r) => r?.phase === 'running'));
  const latest = useMemo(() => ({ lines: latestLines, logScale: latestLog, markers: latestMarkers }), [latestLines, latestLog, latestMarkers]);
  // Waiting for a turn is for streamed data; a run's end, a reset, a mid-run change or the log toggle show at once.
  const { lines, logScale, markers } = useFrameValue(latest, (shown) => !streaming || shown.markers !== latest.markers || shown.logScale !== latest.logScale);
  const kind = percent ? 'percent' : 'plain';
  const formatter = useMemo(() => withBand(FORMAT[kind], lines), [kind, lines]);
  const data = useMemo(() => thinRows(overlay([...lines, ...lines.flatMap((l) => (l.band ? [l.band.lo, l.band.hi] : []))], logScale), CHART_ROWS), [lines, logScale]);
  // The plot's elements change only with what it draws: when the chart re-renders for anything else (new lines
  // still waiting for their turn, its caption), React skips recharts' whole tree instead of recomputing it.
  const plot = useMemo(
    () => (
      <ResponsiveContainer>
        {/* One cursor across every step chart: hovering a step shows each run's value there on all of them. */}
        <ComposedChart data={data} margin={MARGIN} syncId="steps" syncMethod="value">
          <CartesianGrid strokeDasharray="3 3" />
          {/* A linear axis has a handful of ticks: showing each (interval 0) spares measuring every label's text at every redraw. */}
          <XAxis dataKey="step" type="number" domain={X_DOMAIN} allowDecimals={false} interval={0} tick={TICK_TEXT} />
          <YAxis
            scale={logScale ? 'log' : 'auto'}
            domain={logScale || !percent ? AUTO_DOMAIN : PERCENT_DOMAIN}
            tickFormatter={TICK[kind]}
            width={52}
            allowDataOverflow={logScale}
            interval={logScale ? 'preserveEnd' : 0}
            tick={TICK_TEXT}
          />
          <Tooltip formatter={formatter} labelFormatter={stepLabel} isAnimationActive={false} />
          <Legend />
          {markers.map((m) => (
            <ReferenceLine key={m.step} x={m.step} stroke="#7c3aed" strokeDasharray="4 3" label={{ value: m.label, position: 'insideTopRight', fontSize: 10, fill: '#7c3aed' }} data-testid="settings-marker" />
          ))}
          {/* Bands first, so the lines are drawn over them; neither legend nor tooltip lists them on their own. */}
          {lines.flatMap((l) =>
            l.band
              ? [
                  <Area
                    key={`${l.key}:band`}
                    dataKey={bandAt(l.band.lo.key, l.band.hi.key)}
                    stroke="none"
                    fill={l.color}
                    fillOpacity={0.15}
                    connectNulls
                    legendType="none"
                    tooltipType="none"
                    isAnimationActive={false}
                    type="linear"
                  />,
                ]
              : [],
          )}
          {lines.map((l) => (
            <Line
              key={l.key}
              dataKey={l.key}
              name={l.label}
              stroke={l.color}
              strokeDasharray={l.dashed ? '5 4' : undefined}
              dot={l.dots ? DOT : false}
              strokeWidth={l.dots ? 2 : 1.5}
              connectNulls
              isAnimationActive={false}
              type="linear"
              shape={StaticLine}
            />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    ),
    [data, lines, logScale, markers, kind, percent, formatter],
  );
  const box = useRef<HTMLDivElement>(null);
  const savePng = async () => {
    const svg = box.current?.querySelector('svg.recharts-surface');
    if (svg instanceof SVGSVGElement) downloadBlob(await chartToPng(svg, title), `${id}.png`);
  };
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
        {data.length === 0 ? <div className="chart-empty">{empty}</div> : plot}
      </div>
    </section>
  );
});
