import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { RUN_LABELS } from '../../config/run-config';
import { crGains, perClassRows, type ClassSeries } from '../../store/per-class';
import { RUN_COLORS } from '../charts/colors';
import { useClassSeries } from './use-class-series';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const points = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)} points`;

function seriesLabel(s: ClassSeries): string {
  return s.teacher ? `${RUN_LABELS[s.run]} EMA teacher` : RUN_LABELS[s.run];
}

/** Test accuracy per true class at each run's latest evaluation, and where CR gains or loses most. */
export function PerClassChart() {
  const { series, classNames } = useClassSeries();
  const rows = useMemo(() => perClassRows(classNames, series), [classNames, series]);
  const gains = crGains(series);
  const name = (c: number) => classNames[c] ?? `class ${c}`;
  if (series.length === 0) return <p className="muted">Per-class accuracy appears with the first test evaluation.</p>;
  return (
    <div data-testid="per-class">
      <p className="small" data-testid="per-class-gains">
        {gains
          ? gains.best.gain > 0
            ? `LSQ+CR gains most on ${name(gains.best.cls)} (${points(gains.best.gain)})${gains.worst.gain < 0 ? ` and loses most on ${name(gains.worst.cls)} (${points(gains.worst.gain)})` : ', and loses on no class'}.`
            : `LSQ+CR gains on no class; it loses most on ${name(gains.worst.cls)} (${points(gains.worst.gain)}).`
          : 'Train both LSQ and LSQ+CR to compare them class by class.'}{' '}
        <span className="muted">(at step {series.map((s) => s.step).filter((v, i, a) => a.indexOf(v) === i).join(' / ')})</span>
      </p>
      <div className="chart-box">
        <ResponsiveContainer>
          <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="cls" interval={0} fontSize={11} />
            <YAxis domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(100 * v)}%`} width={44} />
            <Tooltip formatter={(v: unknown) => (typeof v === 'number' ? pct(v) : '—')} isAnimationActive={false} />
            <Legend />
            {series.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={seriesLabel(s)} fill={RUN_COLORS[s.run]} fillOpacity={s.teacher ? 0.45 : 1} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
