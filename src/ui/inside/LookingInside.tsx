import { useEffect } from 'react';
import { runCommands } from '../../app/run-pool';
import { Explain } from '../classroom/Explain';
import { PredictionGrid } from './PredictionGrid';
import { ActivationHistogramView, QuantErrorTable } from './QuantErrorView';
import { useRefreshMarker } from './use-refresh-marker';
import { WeightHistogramView } from './WeightHistogramView';

/** What the models do and what their weights look like; refreshed at every test evaluation and on demand. */
export function LookingInside() {
  // A new evaluation anywhere, or a run coming to rest, asks both Workers for a fresh look.
  const { marker, anyStep } = useRefreshMarker();
  useEffect(() => {
    if (anyStep) runCommands.inspect();
  }, [marker, anyStep]);
  return (
    <section className="inside" data-testid="looking-inside">
      <h2>Looking inside</h2>
      <button className="small" onClick={runCommands.inspect} disabled={!anyStep} data-testid="inspect">
        Refresh now
      </button>
      <h3>Test images: true class, and what each model predicts</h3>
      <PredictionGrid />
      <h3>Latent weights and the quantization grid</h3>
      <WeightHistogramView />
      <h3>Quantization error per layer</h3>
      <Explain id="quantError" />
      <QuantErrorTable />
      <h3>Activations and their grid</h3>
      <ActivationHistogramView />
    </section>
  );
}
