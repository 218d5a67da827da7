import { useState } from 'react';
import { usePlayground } from '../../store/playground-store';
import { useUserData, type DatasetLoadView } from '../../store/user-data-store';
import { cancelDatasetLoad, loadDatasetFromFiles, loadDatasetFromUrl, removeLoadedDataset } from '../../app/dataset-actions';
import { datasetLabel } from '../controls/dataset-options';
import { DropZone } from './DropZone';

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
const fmt = (n: number) => n.toLocaleString('en-US');

const STAGE: Record<DatasetLoadView['stage'], string> = { reading: 'Reading', downloading: 'Downloading', unpacking: 'Unpacking and checking' };

function LoadStatus({ view }: { view: DatasetLoadView }) {
  return (
    <div className="dataset-load small" data-testid="dataset-load">
      {view.status === 'loading' && (
        <div className="progress-row">
          {view.total ? <progress max={view.total} value={view.loaded} /> : <progress />} {STAGE[view.stage]} {view.source}
          {view.loaded > 0 && ` (${mb(view.loaded)}${view.total ? ` of ${mb(view.total)}` : ''})`}…{' '}
          <button className="small" onClick={cancelDatasetLoad}>
            Cancel
          </button>
        </div>
      )}
      {view.status === 'failed' && (
        <p className="error" data-testid="dataset-error">
          Not loaded: {view.error}
        </p>
      )}
      {view.status === 'done' && view.id && <p data-testid="dataset-loaded">Loaded {datasetLabel(view.id)}.</p>}
      {view.notes.length > 0 && (
        <ul className="notes">
          {view.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      {view.files.length > 0 && (
        <ul className="file-statuses" data-testid="dataset-files">
          {view.files.map((f, i) => (
            <li key={i} className={f.status}>
              <b>{f.name}</b>: {f.status === 'used' ? 'used' : f.status === 'ignored' ? 'ignored' : 'refused'}
              {f.reason ? ` — ${f.reason}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** MNIST-format IDX files and CIFAR-10/100 (batches or the official archive), from files or a URL on this site. */
export function DatasetLoader({ locked }: { locked: boolean }) {
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const view = useUserData((s) => s.datasetLoad);
  const datasets = useUserData((s) => s.datasets);
  const current = usePlayground((s) => s.config.dataset);
  const setConfig = usePlayground((s) => s.setConfig);
  const labeled = usePlayground((s) => s.config.labeled);
  const busy = view?.status === 'loading';
  const chosenName = name.trim() === '' ? null : name.trim().toLowerCase();
  return (
    <div className="dataset-loader" data-testid="dataset-loader">
      <h3>Load a dataset</h3>
      <p className="small">
        MNIST-format IDX files, gzipped or not (MNIST, KMNIST, EMNIST…: the four train/t10k files, or one images + labels pair), or
        CIFAR-10 / CIFAR-100 in the binary version: the batch files or the official <code>cifar-10-binary.tar.gz</code> archive, unpacked
        here. A loaded dataset stays until this page is closed; nothing is stored or uploaded.
      </p>
      <DropZone onFiles={(files) => loadDatasetFromFiles(files, chosenName)} testId="dataset-drop" disabled={busy}>
        Drop dataset files or the archive here
      </DropZone>
      <form
        className="url-row small"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) loadDatasetFromUrl(url.trim(), chosenName);
        }}
      >
        <input type="url" placeholder="or a URL on this site, e.g. /data/cifar-10-binary.tar.gz" value={url} onChange={(e) => setUrl(e.target.value)} data-testid="dataset-url" />
        <button type="submit" className="small" disabled={busy || url.trim() === ''}>
          Load
        </button>
      </form>
      <label className="small name-row">
        Name in the picker and in links <span className="muted">(optional: guessed from the files)</span>{' '}
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. kmnist" data-testid="dataset-name" pattern="[a-z0-9][a-z0-9\-]*" />
      </label>
      {view && <LoadStatus view={view} />}
      {datasets.length > 0 && (
        <ul className="loaded-datasets small" data-testid="loaded-datasets">
          {datasets.map((d) => (
            <li key={d.id}>
              <b>{datasetLabel(d.id)}</b>: {d.width}×{d.height} {d.channels === 3 ? 'RGB' : 'grey'}, {d.numClasses} classes, {fmt(d.trainCount)} train + {fmt(d.testCount)} test images{' '}
              {current === d.id ? (
                <span className="muted">(chosen)</span>
              ) : (
                <button className="small" disabled={locked} onClick={() => setConfig({ dataset: d.id, labeled: Math.min(labeled, d.trainCount) })} data-testid={`use-dataset-${d.id}`}>
                  Train on it
                </button>
              )}{' '}
              <button className="small" onClick={() => removeLoadedDataset(d.id)} title="Frees its memory on this page">
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
