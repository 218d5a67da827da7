import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useRunStore } from '../store/run-store';

/** Training loss per step (animation off: it redraws a few times a second). */
export function LossChart() {
  const losses = useRunStore((s) => s.losses);
  return (
    <div style={{ width: '100%', height: 260 }} data-testid="loss-chart">
      <ResponsiveContainer>
        <LineChart data={losses} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} />
          <YAxis />
          <Tooltip />
          <Line type="monotone" dataKey="loss" stroke="#2563eb" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
