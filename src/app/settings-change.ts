import { checkSettingsChange, type SettingsChange } from '../engine/vocabulary/settings-change';
import { usePlayground, type RunView } from '../store/playground-store';
import { runCommands } from './run-pool';

const MOVING = new Set<RunView['phase']>(['running', 'compiling', 'starting', 'loading-data', 'hessian']);

/** Resolves once no run is moving (every Worker answered the pause). */
function settled(): Promise<void> {
  const still = () => Object.values(usePlayground.getState().runs).some((r) => MOVING.has(r!.phase));
  if (!still()) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = usePlayground.subscribe(() => {
      if (still()) return;
      stop();
      resolve();
    });
  });
}

/**
 * Changes λ_max, the learning rate or the EMA decay while the runs train, so that every run switches at the same
 * step: both pause, the change goes out with the step after the furthest run's, and training resumes. The runs
 * report the step they applied it from, which is what the charts mark.
 */
export async function changeSettingsMidRun(change: SettingsChange): Promise<number> {
  const why = checkSettingsChange(change);
  if (why) throw new RangeError(why);
  const wasTraining = Object.values(usePlayground.getState().runs).some((r) => MOVING.has(r!.phase));
  if (wasTraining) runCommands.pause();
  await settled();
  const runs = Object.values(usePlayground.getState().runs);
  const fromStep = Math.max(0, ...runs.map((r) => r!.step)) + 1;
  runCommands.changeSettings(change, fromStep);
  usePlayground.getState().scheduleSettingsChange({ step: fromStep, change });
  if (wasTraining) runCommands.resume();
  return fromStep;
}
