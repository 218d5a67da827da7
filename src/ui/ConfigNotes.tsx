import { usePlayground } from '../store/playground-store';

/** Why parts of an opened link were not used. */
export function ConfigNotes() {
  const notes = usePlayground((s) => s.configNotes);
  const dismiss = usePlayground((s) => s.dismissNotes);
  if (notes.length === 0) return null;
  return (
    <div className="notice" role="status" data-testid="config-notes">
      <p>
        <strong>Some settings in this link could not be used</strong>, so their defaults apply:
      </p>
      <ul>
        {notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
      <button className="small" onClick={dismiss}>
        OK
      </button>
    </div>
  );
}
