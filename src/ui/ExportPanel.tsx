import { RUN_IDS, RUN_LABELS } from '../config/run-config';
import { confusionCsv } from '../export/class-export';
import { quantErrorCsv } from '../export/quant-error-export';
import { layerEigenCsv, sharpnessCsv } from '../export/sharpness-export';
import { downloadText, fileStem } from '../export/download';
import { evalsCsv, metricsCsv, metricsJson, type ExportedRun } from '../export/metrics-export';
import { multiSeedJson } from '../export/multi-seed-export';
import { finishedPairs, shownSeed, useMultiSeed, useRepeatView } from '../store/multi-seed-store';
import { runLog, usePlayground } from '../store/playground-store';
import { runCommands } from '../app/run-pool';

/** Everything as JSON: the runs on screen (and the seed they trained with) and the last repetition over seeds. */
function everythingJson(): string {
  const { config } = usePlayground.getState();
  const repeat = useMultiSeed.getState();
  const page = window.location.href.split('#')[0];
  const json = metricsJson(config, window.location.href, exportedRuns(), { runsSeed: shownSeed(repeat) ?? config.seed, multiSeed: multiSeedJson(repeat, page) });
  return JSON.stringify(json, null, 1);
}

function exportedRuns(): ExportedRun[] {
  const { runs, config } = usePlayground.getState();
  return RUN_IDS.flatMap((id) => {
    const r = runs[id];
    const log = runLog(id);
    return r && log ? [{ id, log, evals: r.evals, backend: r.backend, batchSize: config.batchSize, quantErrors: r.quantErrors, settingsChanges: r.settingsChanges, sharpness: r.sharpness, layerEigen: r.layerEigen }] : [];
  });
}

/** The class names the Workers reported with their images. */
function classNames(): string[] {
  const runs = Object.values(usePlayground.getState().runs);
  return runs.find((r) => r?.inspection)?.inspection?.classNames ?? runs.find((r) => r?.cell)?.cell?.classNames ?? [];
}

/** Metrics as CSV and JSON (every step, full resolution), and each trained student as a file. */
export function ExportPanel() {
  const runs = usePlayground((s) => s.runs);
  const config = usePlayground((s) => s.config);
  const repeat = useRepeatView();
  // After a repetition the runs on screen are its last seed's; their files say so.
  const stem = fileStem(config.model, config.wbits, config.abits, shownSeed(repeat) ?? config.seed);
  const hasSteps = Object.values(runs).some((r) => r!.step > 0);
  const hasSeeds = finishedPairs(repeat).length > 0;
  return (
    <section className="export">
      <h2>Export</h2>
      <div className="buttons">
        <button disabled={!hasSteps} data-testid="export-csv" onClick={() => downloadText(metricsCsv(exportedRuns()), `${stem}-steps.csv`, 'text/csv')}>
          Steps (CSV)
        </button>
        <button disabled={!hasSteps} data-testid="export-evals-csv" onClick={() => downloadText(evalsCsv(exportedRuns()), `${stem}-tests.csv`, 'text/csv')}>
          Test evaluations (CSV)
        </button>
        <button disabled={!hasSteps} data-testid="export-confusion-csv" onClick={() => downloadText(confusionCsv(exportedRuns(), classNames()), `${stem}-confusion.csv`, 'text/csv')}>
          Confusion matrices (CSV)
        </button>
        <button disabled={!hasSteps} data-testid="export-quant-error-csv" onClick={() => downloadText(quantErrorCsv(exportedRuns()), `${stem}-quant-error.csv`, 'text/csv')}>
          Quantization error (CSV)
        </button>
        <button disabled={!Object.values(runs).some((r) => r!.sharpness.length > 0)} data-testid="export-sharpness-csv" onClick={() => downloadText(sharpnessCsv(exportedRuns()), `${stem}-sharpness.csv`, 'text/csv')}>
          Sharpness ± spread (CSV)
        </button>
        <button disabled={!Object.values(runs).some((r) => r!.layerEigen)} data-testid="export-layer-eigen-csv" onClick={() => downloadText(layerEigenCsv(exportedRuns()), `${stem}-layer-eigenvalues.csv`, 'text/csv')}>
          Per-layer eigenvalues (CSV)
        </button>
        <button disabled={!(hasSteps || hasSeeds)} data-testid="export-json" onClick={() => downloadText(everythingJson(), `${stem}-metrics.json`, 'application/json')}>
          Everything (JSON)
        </button>
        {RUN_IDS.filter((id) => runs[id]).map((id) => (
          <button key={id} disabled={!(runs[id]!.step > 0)} data-testid={`export-model-${id}`} onClick={() => runCommands.exportModel(id)}>
            {RUN_LABELS[id]} student (model file)
          </button>
        ))}
        {RUN_IDS.filter((id) => runs[id]).map((id) => (
          <button key={`${id}-onnx`} disabled={!(runs[id]!.step > 0)} data-testid={`export-onnx-${id}`} onClick={() => runCommands.exportModel(id, 'onnx')}>
            {RUN_LABELS[id]} student (ONNX)
          </button>
        ))}
        {RUN_IDS.filter((id) => runs[id]).map((id) => (
          <button key={`${id}-torch`} disabled={!(runs[id]!.step > 0)} data-testid={`export-torch-${id}`} onClick={() => runCommands.exportModel(id, 'torch')}>
            {RUN_LABELS[id]} run as a PyTorch project (zip)
          </button>
        ))}
      </div>
      <p className="muted small">
        Charts have their own PNG buttons. A model file holds the latent weights, the learned step sizes and BatchNorm
        statistics as JSON; the integer codes are round(clip(w/s, −Qn, Qp)). The ONNX file is the quantized student for
        inference runtimes: int8 weight codes and the learned step sizes as QuantizeLinear/DequantizeLinear scales,
        float32 NHWC pixels in [0, 1] in (the graph normalises them), logits out. The PyTorch project trains the same
        run at scale (<code>python3 train.py</code>, or under <code>torchrun</code>) from the trained weights; its
        README says how, and where the dataset's files go.
      </p>
    </section>
  );
}
