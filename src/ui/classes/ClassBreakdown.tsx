import { Explain } from '../classroom/Explain';
import { ConfusionView } from './ConfusionView';
import { PerClassChart } from './PerClassChart';

/** Where CR helps: accuracy per class and the confusion matrices, refreshed at every test evaluation. */
export function ClassBreakdown() {
  return (
    <section className="inside" data-testid="class-breakdown">
      <h2>Class by class</h2>
      <h3>Test accuracy per class</h3>
      <Explain id="perClass" />
      <PerClassChart />
      <h3>Confusion matrices</h3>
      <Explain id="confusion" />
      <ConfusionView />
    </section>
  );
}
