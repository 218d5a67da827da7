import { useMultiSeed } from '../store/multi-seed-store';
import { usePlayground } from '../store/playground-store';
import { AccuracyChart, HessianChart, LambdaChart, LearningRateChart, LossChart, StepSizeChart } from './charts/TrainingCharts';
import { ConfigNotes } from './ConfigNotes';
import { SavedRunsBar } from './SavedRunsBar';
import { Controls } from './controls/Controls';
import { ExportPanel } from './ExportPanel';
import { SpectrumView } from './hessian/SpectrumView';
import { ClassBreakdown } from './classes/ClassBreakdown';
import { LookingInside } from './inside/LookingInside';
import { MultiSeedTable } from './multi-seed/MultiSeedTable';
import { SeedCaption } from './multi-seed/SeedCaption';
import { MidRunChange } from './runs/MidRunChange';
import { RunBar } from './runs/RunBar';
import { controlState } from './runs/run-status';
import { SummaryTable } from './SummaryTable';
import { YourData } from './your-data/YourData';

export function App() {
  const presentation = usePlayground((s) => s.presentation);
  const setPresentation = usePlayground((s) => s.setPresentation);
  const logScale = usePlayground((s) => s.logScale);
  const setLogScale = usePlayground((s) => s.setLogScale);
  const runsLocked = usePlayground((s) => controlState(Object.values(s.runs).map((r) => r!)).locked);
  // Between two seeds of a repetition nothing trains for a moment; the settings stay locked all the same.
  const repeating = useMultiSeed((s) => s.status === 'running');
  const locked = runsLocked || repeating;

  return (
    <div className={presentation ? 'app presentation' : 'app'} data-testid="app">
      <header className="top">
        <div>
          <h1>QAT Playground</h1>
          <p className="muted tagline">
            Quantization-aware training in this browser tab: LSQ against LSQ + Consistency Regularization, same seed,
            same data order, side by side.
          </p>
        </div>
        <div className="toggles">
          <label className="small">
            <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="log-scale" /> Log scale
          </label>
          <button onClick={() => setPresentation(!presentation)} data-testid="presentation">
            {presentation ? 'Leave presentation' : 'Presentation mode'}
          </button>
        </div>
      </header>
      <ConfigNotes />
      <SavedRunsBar />
      <div className="layout">
        <Controls locked={locked} />
        <main>
          <RunBar />
          <MidRunChange />
          <SummaryTable />
          <MultiSeedTable />
          <SeedCaption />
          <div className="charts">
            <LossChart />
            <AccuracyChart />
            <LambdaChart />
            <StepSizeChart />
            <LearningRateChart />
            <HessianChart />
          </div>
          <SpectrumView />
          <ClassBreakdown />
          <LookingInside />
          <YourData locked={locked} />
          <ExportPanel />
        </main>
      </div>
    </div>
  );
}
