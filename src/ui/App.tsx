import { useEffect, useRef, useState } from 'react';
import { BACKEND_NAMES, type BackendChoice } from '../engine/backend/types';
import type { TrainConfigInput } from '../engine/train/config';
import { useRunStore } from '../store/run-store';
import { TrainingWorkerClient } from '../worker/client';
import type { WorkerEvent } from '../worker/protocol';
import { BackendBadge } from './BackendBadge';
import { LossChart } from './LossChart';

type QuickMethod = 'lsq' | 'lsq+cr';

/** A short run; lsq+cr with the views and λ chosen on a validation split (README). */
function quickRun(method: QuickMethod): TrainConfigInput {
  return {
    model: 'mlp',
    method,
    quant: { wbits: 4, abits: 4 },
    steps: 200,
    labeled: 1000,
    batchSize: 64,
    evalEvery: 50,
    evalSamples: 1000,
    seed: 0,
    augment: { translate: 0, flip: 'auto', noise: 0.2 },
    cr: { lambda: { kind: 'sigmoid', max: 0.5, rampSteps: 60 }, teacher: { decay: 0.99 } },
  };
}

const PHASE_TEXT: Record<string, string> = {
  idle: 'Idle',
  starting: 'Starting the backend…',
  'loading-data': 'Loading Fashion-MNIST…',
  compiling: 'First step: warming up (on WebGPU this compiles the shaders)…',
  ready: 'Ready',
  running: 'Training',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
};

function dispatch(e: WorkerEvent): void {
  const s = useRunStore.getState();
  if (e.type === 'backend') s.setBackend(e.report);
  else if (e.type === 'phase') s.setPhase(e.phase, e.step, e.totalSteps);
  else if (e.type === 'metrics') s.addMetrics(e.batch);
  else if (e.type === 'eval') s.addEval(e.metrics);
  else s.setError(e.message);
}

export function App() {
  const [backend, setBackend] = useState<BackendChoice>('auto');
  const [method, setMethod] = useState<QuickMethod>('lsq');
  const client = useRef<TrainingWorkerClient | null>(null);
  const phase = useRunStore((s) => s.phase);
  const step = useRunStore((s) => s.step);
  const totalSteps = useRunStore((s) => s.totalSteps);
  const msPerStep = useRunStore((s) => s.msPerStep);
  const evals = useRunStore((s) => s.evals);
  const error = useRunStore((s) => s.error);

  useEffect(() => {
    const c = new TrainingWorkerClient(dispatch);
    client.current = c;
    useRunStore.setState({ backend: null, phase: 'idle' });
    useRunStore.getState().clearRun();
    c.send({ type: 'init', backend });
    return () => c.terminate();
  }, [backend]);

  useEffect(() => {
    useRunStore.getState().clearRun();
    client.current?.send({ type: 'configure', config: quickRun(method) });
  }, [backend, method]);

  const send = (type: 'start' | 'pause' | 'resume' | 'step') => client.current?.send({ type });
  const reset = () => {
    useRunStore.getState().clearRun();
    client.current?.send({ type: 'reset' });
  };
  const running = phase === 'running' || phase === 'compiling' || phase === 'loading-data';
  const lastEval = evals.at(-1);

  return (
    <main>
      <h1>QAT Playground</h1>
      <p className="muted">
        LSQ quantization-aware training of a small classifier on Fashion-MNIST, in this browser tab, with or without
        Consistency Regularization (an EMA teacher on a second augmented view).
      </p>
      <BackendBadge />
      <label>
        Backend{' '}
        <select value={backend} onChange={(e) => setBackend(e.target.value as BackendChoice)} data-testid="backend-select">
          {['auto', ...BACKEND_NAMES].map((b) => (
            <option key={b}>{b}</option>
          ))}
        </select>
      </label>
      <label>
        {' '}Method{' '}
        <select value={method} disabled={running} onChange={(e) => setMethod(e.target.value as QuickMethod)} data-testid="method-select">
          <option value="lsq">LSQ</option>
          <option value="lsq+cr">LSQ + Consistency Regularization</option>
        </select>
      </label>
      <section className="controls">
        <button data-testid="train" disabled={running || phase === 'done'} onClick={() => send(phase === 'paused' ? 'resume' : 'start')}>
          {phase === 'paused' ? 'Resume' : 'Train'} (MLP, {method === 'lsq' ? 'LSQ' : 'LSQ+CR'} W4A4, 200 steps)
        </button>
        <button data-testid="pause" disabled={!running} onClick={() => send('pause')}>
          Pause
        </button>
        <button data-testid="step" disabled={running || phase === 'done'} onClick={() => send('step')}>
          Step
        </button>
        <button data-testid="reset" disabled={running} onClick={reset}>
          Reset
        </button>
      </section>
      <p data-testid="status">
        {PHASE_TEXT[phase] ?? phase} · step <span data-testid="step-count">{step}</span> / {totalSteps}
        {msPerStep !== null ? ` · ${msPerStep.toFixed(1)} ms/step` : ''}
      </p>
      {lastEval && (
        <p data-testid="test-accuracy">
          Test accuracy after step {lastEval.step}: {(100 * lastEval.accuracy).toFixed(1)}% ({lastEval.samples} images)
          {lastEval.teacherAccuracy !== null && lastEval.agreement !== null
            ? ` · EMA teacher ${(100 * lastEval.teacherAccuracy).toFixed(1)}%, agreement ${(100 * lastEval.agreement).toFixed(1)}%`
            : ''}
        </p>
      )}
      {error && (
        <p role="alert" className="error" data-testid="error">
          {error}
        </p>
      )}
      <LossChart />
    </main>
  );
}
