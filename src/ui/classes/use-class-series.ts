import { useMemo } from 'react';
import { RUN_IDS } from '../../config/run-config';
import { latestSeries, type ClassSeries } from '../../store/per-class';
import { usePlayground } from '../../store/playground-store';

/** The latest confusion matrix of every run (and teacher), and the class names the Workers reported. */
export function useClassSeries(): { series: ClassSeries[]; classNames: string[] } {
  const runs = usePlayground((s) => s.runs);
  return useMemo(() => {
    const list = RUN_IDS.flatMap((id) => (runs[id] ? [runs[id]] : []));
    const named = list.find((r) => r.inspection || r.cell);
    return { series: latestSeries(list), classNames: named?.inspection?.classNames ?? named?.cell?.classNames ?? [] };
  }, [runs]);
}
