import type { ConfusionMatrix } from '../../engine/vocabulary/confusion';

interface Props {
  title: string;
  matrix: ConfusionMatrix;
  classNames: readonly string[];
  /** A difference of two matrices: signed colours, and a + on gains. */
  diff?: boolean;
  testId: string;
  selected: { truth: number; predicted: number } | null;
  onPick(truth: number, predicted: number): void;
}

/**
 * Shade of one cell. Counts: the share of its row (the true class), blue on the diagonal, red off it. Differences:
 * green where the change is good (more on the diagonal, fewer off it), red where it is bad.
 */
function shade(v: number, rowTotal: number, onDiagonal: boolean, diff: boolean, maxAbs: number): string {
  if (diff) {
    if (v === 0) return 'transparent';
    const good = onDiagonal ? v > 0 : v < 0;
    const a = Math.min(1, Math.abs(v) / Math.max(1, maxAbs));
    return good ? `rgba(22, 163, 74, ${0.15 + 0.6 * a})` : `rgba(220, 38, 38, ${0.15 + 0.6 * a})`;
  }
  const a = rowTotal === 0 ? 0 : v / rowTotal;
  if (v === 0) return 'transparent';
  return onDiagonal ? `rgba(37, 99, 235, ${0.1 + 0.7 * a})` : `rgba(220, 38, 38, ${0.1 + 0.9 * Math.min(1, 3 * a)})`;
}

const short = (s: string) => (s.length > 7 ? `${s.slice(0, 6)}…` : s);

/** Rows: true class; columns: predicted class. Every cell is a button that opens its images. */
export function ConfusionMatrixTable({ title, matrix, classNames, diff = false, testId, selected, onPick }: Props) {
  const maxAbs = Math.max(1, ...matrix.flat().map(Math.abs));
  const name = (c: number) => classNames[c] ?? String(c);
  return (
    <figure className="confusion" data-testid={testId}>
      <figcaption className="small">{title}</figcaption>
      <table>
        <thead>
          <tr>
            <th className="muted small">true ↓ / predicted →</th>
            {matrix.map((_, j) => (
              <th key={j} className="small" title={name(j)}>
                {short(name(j))}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={i}>
                <th className="small" title={name(i)}>
                  {short(name(i))}
                </th>
                {row.map((v, j) => (
                  <td
                    key={j}
                    className={selected?.truth === i && selected.predicted === j ? 'picked' : undefined}
                    style={{ background: shade(v, total, i === j, diff, maxAbs) }}
                    title={`true ${name(i)}, predicted ${name(j)}: ${diff && v > 0 ? '+' : ''}${v}`}
                    onClick={() => onPick(i, j)}
                    data-testid={`${testId}-cell-${i}-${j}`}
                  >
                    {diff && v > 0 ? `+${v}` : v}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}
