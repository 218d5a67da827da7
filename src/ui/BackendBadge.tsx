import { describeAdapter } from '../engine/backend/webgpu-adapter';
import { useRunStore } from '../store/run-store';

/** Which backend trains, on which adapter, and why others were passed over. */
export function BackendBadge() {
  const backend = useRunStore((s) => s.backend);
  if (!backend) return <p data-testid="backend">Starting the training engine…</p>;
  return (
    <div>
      <p data-testid="backend">
        Backend: <strong>{backend.name}</strong>
        {backend.adapter ? ` on ${describeAdapter(backend.adapter)}` : ''}
        {backend.detail ? ` (${backend.detail})` : ''}
      </p>
      {backend.fallbacks.length > 0 && (
        <ul data-testid="backend-fallbacks" className="muted">
          {backend.fallbacks.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
