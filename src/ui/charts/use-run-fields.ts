import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { RUN_IDS, type RunId } from '../../config/run-config';
import { describeSettingsChange } from '../../engine/vocabulary/settings-change';
import { usePlayground, type RunView } from '../../store/playground-store';

/**
 * One field of every run there is, in run order. A chart that reads only the fields it draws is not redrawn when
 * the others change (a step count, another chart's series).
 */
export function useRunsField<K extends keyof RunView>(field: K): { id: RunId; value: RunView[K] }[] {
  const values = usePlayground(useShallow((s) => RUN_IDS.map((id) => (s.runs[id] ? s.runs[id][field] : undefined))));
  return useMemo(() => RUN_IDS.flatMap((id, i) => (values[i] === undefined ? [] : [{ id, value: values[i] as RunView[K] }])), [values]);
}

/** Where settings were changed mid-run: one marker per step, as the runs reported applying them. */
export function useSettingsMarkers(): { step: number; label: string }[] {
  const changes = useRunsField('settingsChanges');
  return useMemo(() => {
    const byStep = new Map<number, string>();
    for (const r of changes) for (const c of r.value) byStep.set(c.step, describeSettingsChange(c.change));
    return [...byStep].map(([step, label]) => ({ step, label }));
  }, [changes]);
}
