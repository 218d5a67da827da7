import { RUN_LABELS, type RunId } from '../../config/run-config';

/** The two selects above a per-layer view: which run, which of its layers. */
export function RunLayerPicker(props: {
  runs: readonly RunId[];
  run: RunId;
  onRun(id: RunId): void;
  layers: readonly string[];
  layer: string;
  onLayer(name: string): void;
  layerTestId: string;
}) {
  return (
    <>
      <label className="small">
        Run{' '}
        <select value={props.run} onChange={(e) => props.onRun(e.target.value as RunId)}>
          {props.runs.map((id) => (
            <option key={id} value={id}>
              {RUN_LABELS[id]}
            </option>
          ))}
        </select>
      </label>{' '}
      <label className="small">
        Layer{' '}
        <select value={props.layer} onChange={(e) => props.onLayer(e.target.value)} data-testid={props.layerTestId}>
          {props.layers.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
    </>
  );
}
