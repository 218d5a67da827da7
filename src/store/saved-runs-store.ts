import { create } from 'zustand';

/**
 * What the page says about its saved runs. `saving`: this tab keeps its runs in IndexedDB; `read-only`: another tab
 * of the page holds them, and this one trains without saving; `unavailable`: the browser gives no storage.
 */
export type SavingMode = 'starting' | 'saving' | 'read-only' | 'unavailable';

export interface SavedRunsState {
  mode: SavingMode;
  /** Runs put back on the page after a reload, and the step each was at. */
  restored: { label: string; step: number }[];
  /** Saved runs of another setup than the page's (not restored); `openOther` puts the page on it. */
  otherSetup: string | null;
  /** Stored runs that could not be read, and writes that failed, named. */
  problems: string[];
  /** The last step saved, per run label. */
  lastSaved: Record<string, number>;
}

export const useSavedRuns = create<SavedRunsState>()(() => ({ mode: 'starting', restored: [], otherSetup: null, problems: [], lastSaved: {} }));

export function addSavedRunsProblem(p: string): void {
  useSavedRuns.setState((s) => ({ problems: s.problems.includes(p) ? s.problems : [...s.problems, p] }));
}
