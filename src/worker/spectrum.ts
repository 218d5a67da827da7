import { HessianAbortedError, type HessianSummary, type LayerSpectrum, measureHessian, measureLayerEigenvalues, type Operator, type TrainingSession } from '../engine';

/** How long products may run before the Worker's message queue gets a turn (the session's loop yields as often). */
const YIELD_EVERY_MS = 30;

/**
 * `op`, giving the event loop a turn at most every YIELD_EVERY_MS. On backends that read back synchronously (cpu,
 * wasm) a spectrum's products never leave the microtask queue, so a pause posted meanwhile would not even be read
 * until the spectrum ended. A signal raised during the turn stops the work before the next product.
 */
function yielding(op: Operator, signal: AbortSignal): Operator {
  let last = performance.now();
  return async (v) => {
    if (performance.now() - last >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = performance.now();
      if (signal.aborted) throw new HessianAbortedError();
    }
    return op(v);
  };
}

/**
 * The on-demand spectrum: the top-k eigenvalues and the trace of the student's Hessian on a fixed batch of `samples`
 * labeled images, by the engine's `measureHessian` (so the page's figures match the CLI's), with products that let a
 * pause in.
 */
export function measureSpectrum(s: TrainingSession, k: number, samples: number, signal: AbortSignal): Promise<HessianSummary> {
  return measureHessian(s, k, { settings: { samples, includeSteps: false }, signal, wrapProduct: (hvp) => yielding(hvp, signal) });
}

/** The on-demand per-layer top eigenvalues, on the spectrum's fixed batch, with products that let a pause in. */
export function measureLayerSpectrum(s: TrainingSession, samples: number, signal: AbortSignal): Promise<LayerSpectrum> {
  return measureLayerEigenvalues(s, samples, { signal, wrapProduct: (hvp) => yielding(hvp, signal) });
}
