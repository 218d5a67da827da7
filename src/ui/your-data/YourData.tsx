import { DatasetLoader } from './DatasetLoader';
import { PoolPanel } from './PoolPanel';

/** Images and datasets a person brings. They are read in this browser only: no request carries them anywhere. */
export function YourData({ locked }: { locked: boolean }) {
  return (
    <section className="your-data" id="your-data" data-testid="your-data">
      <h2>Bring your own data</h2>
      <p className="small privacy" data-testid="privacy">
        Your files never leave this browser. They are decoded and used here, on this device; the page sends no request that carries
        them, and its Content-Security-Policy lets it talk only to the site it came from.
      </p>
      <div className="your-data-panels">
        <PoolPanel />
        <DatasetLoader locked={locked} />
      </div>
    </section>
  );
}
