import { create } from 'zustand';
import type { BackendReport } from '../engine/backend/types';
import type { EvalMetrics } from '../engine/train/metrics';
import type { MetricBatch, RunPhase } from '../worker/protocol';

export interface LossPoint {
  step: number;
  loss: number;
  accuracy: number;
}

interface RunState {
  backend: BackendReport | null;
  phase: RunPhase | 'idle';
  step: number;
  totalSteps: number;
  losses: LossPoint[];
  evals: EvalMetrics[];
  msPerStep: number | null;
  error: string | null;
  setBackend(r: BackendReport): void;
  setPhase(phase: RunPhase, step: number, totalSteps: number): void;
  addMetrics(b: MetricBatch): void;
  addEval(m: EvalMetrics): void;
  setError(message: string): void;
  clearRun(): void;
}

/** One run's state as the page shows it; the Worker's events are the only writer. */
export const useRunStore = create<RunState>()((set) => ({
  backend: null,
  phase: 'idle',
  step: 0,
  totalSteps: 0,
  losses: [],
  evals: [],
  msPerStep: null,
  error: null,
  setBackend: (backend) => set({ backend }),
  setPhase: (phase, step, totalSteps) => set({ phase, step, totalSteps }),
  addMetrics: (b) =>
    set((s) => {
      const added: LossPoint[] = Array.from(b.step, (step, i) => ({ step, loss: b.loss[i], accuracy: b.accuracy[i] }));
      const last = b.step.length - 1;
      return { losses: [...s.losses, ...added], step: b.step[last], msPerStep: b.msPerStep[last] };
    }),
  addEval: (m) => set((s) => ({ evals: [...s.evals, m] })),
  setError: (error) => set({ error }),
  clearRun: () => set({ losses: [], evals: [], step: 0, msPerStep: null, error: null }),
}));
