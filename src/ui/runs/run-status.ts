import type { RunView } from '../../store/playground-store';

export const PHASE_TEXT: Record<RunView['phase'], string> = {
  idle: 'Idle',
  starting: 'Starting the backend…',
  'loading-data': 'Loading the dataset…',
  'timing-backends': 'Timing WebGPU and wasm on this model, to train on the faster…',
  compiling: 'First step: warming up (on WebGPU this compiles the shaders)…',
  hessian: 'Computing Hessian eigenvalues…',
  ready: 'Ready',
  running: 'Training',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
};

const ACTIVE = new Set<RunView['phase']>(['running', 'compiling', 'loading-data', 'timing-backends', 'hessian']);

/** What the shared buttons may do, given every run's state. */
export function controlState(runs: readonly RunView[]) {
  const live = runs.filter((r) => r.phase !== 'failed' && r.phase !== 'done');
  const running = live.some((r) => ACTIVE.has(r.phase));
  const allReady = runs.length > 0 && runs.every((r) => r.backend !== null && r.phase !== 'idle' && r.phase !== 'starting');
  const paused = !running && live.some((r) => r.phase === 'paused');
  return {
    running,
    paused,
    /** Start (or resume) every run that can go on. */
    canPlay: allReady && !running && live.length > 0,
    canPause: running,
    canStep: allReady && !running && live.length > 0,
    canReset: !running && runs.length > 0,
    /** Settings stay fixed while a run is under way. */
    locked: running || paused,
  };
}
