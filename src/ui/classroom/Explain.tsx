import { EXPLANATIONS, type ExplanationId } from './explanations';

/** A collapsible explanation next to the controls it is about. */
export function Explain({ id }: { id: ExplanationId }) {
  const e = EXPLANATIONS[id];
  return (
    <details className="explain" data-testid={`explain-${id}`}>
      <summary>{e.title}</summary>
      <p>{e.text}</p>
    </details>
  );
}
