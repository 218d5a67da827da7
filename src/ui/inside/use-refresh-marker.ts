import { usePlayground } from '../../store/playground-store';

/**
 * When views of the trained models should ask the Workers again: at every test evaluation anywhere and when a run
 * comes to rest (`marker` changes), once any run has trained (`anyStep`).
 */
export function useRefreshMarker(): { marker: string; anyStep: boolean } {
  const marker = usePlayground((s) =>
    Object.values(s.runs)
      .map((r) => `${r!.evals.length}:${r!.phase === 'paused' || r!.phase === 'done' ? r!.step : ''}`)
      .join('|'),
  );
  const anyStep = usePlayground((s) => Object.values(s.runs).some((r) => r!.step > 0));
  return { marker, anyStep };
}
