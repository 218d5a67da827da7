import { useUserData } from '../../store/user-data-store';

/** Every file that was not added, with the reason; kept until dismissed. */
export function RefusedList() {
  const refused = useUserData((s) => s.refused);
  const more = useUserData((s) => s.refusedUncounted);
  const clear = useUserData((s) => s.clearRefused);
  if (refused.length === 0) return null;
  return (
    <details className="refused" open data-testid="pool-refused">
      <summary>
        {(refused.length + more).toLocaleString('en-US')} file{refused.length + more === 1 ? '' : 's'} not added{' '}
        <button className="small" onClick={clear}>
          Dismiss
        </button>
      </summary>
      <ul className="small">
        {refused.map((r) => (
          <li key={r.id}>
            <b>{r.name}</b>: {r.reason}
          </li>
        ))}
        {more > 0 && <li className="muted">…and {more.toLocaleString('en-US')} more</li>}
      </ul>
    </details>
  );
}
