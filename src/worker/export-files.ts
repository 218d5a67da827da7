import { zipSync } from 'fflate';
import { modelFileToOnnx, type TorchDatasetKind, torchProject, type TrainingSession } from '../engine';
// Vite inlines the Python sources (?raw imports): a module of the browser build only, so not on the front door.
import { PYTHON_SOURCES } from '../engine/export/torch/sources-vite';

export type ExportFormat = 'onnx' | 'torch';

/** The trained student as QDQ ONNX, converted from its model file, so the graph holds exactly what the file holds. */
export function onnxBytes(modelFileText: string): Uint8Array {
  return modelFileToOnnx(modelFileText).bytes;
}

function datasetKind(name: string): TorchDatasetKind {
  return name === 'cifar10' || name === 'cifar100' ? name : 'idx';
}

/**
 * The run as a PyTorch project (a zip built here, off the page's main thread), with the trained weights. The page
 * has no folder of dataset files to point at: train.py looks in ./data unless --data says otherwise.
 */
export async function torchZip(s: TrainingSession, pageUrl: string): Promise<Uint8Array> {
  const tensors = [];
  for (const { name, variable } of [...s.model.params, ...s.model.buffers]) tensors.push({ name, shape: variable.shape, data: (await variable.data()) as Float32Array });
  const ds = s.dataset;
  const files = torchProject({
    config: s.config,
    dataset: { kind: datasetKind(ds.name), name: ds.name, dir: 'data', numClasses: ds.numClasses, inputShape: [ds.height, ds.width, ds.channels] },
    sources: PYTHON_SOURCES,
    weights: { kind: 'trained', tensors, steps: s.step },
    origin: `exported from the page after ${s.step} steps: ${pageUrl}`,
  });
  const enc = new TextEncoder();
  return zipSync(Object.fromEntries(files.map((f) => [f.path, typeof f.data === 'string' ? enc.encode(f.data) : f.data])));
}
