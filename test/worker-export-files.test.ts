import { unzipSync, strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/backend/select';
import { serializeModel } from '../src/engine/export/model-file';
import { decodeSafetensors } from '../src/engine/export/torch/safetensors';
import { TrainingSession } from '../src/engine/train/session';
import { onnxBytes, torchZip } from '../src/worker/export-files';
import { syntheticDataset } from './helpers/synthetic-dataset';

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe("the Worker's export files", () => {
  const ds = syntheticDataset({ height: 8, width: 8, channels: 1, classes: 3, train: 60, test: 12 });

  it('zips the run as a PyTorch project with its trained weights, and converts the student to ONNX', async () => {
    const s = new TrainingSession(ds, { model: 'mlp', method: 'lsq+cr', steps: 2, labeled: 30, batchSize: 6, evalEvery: 0 });
    await s.stepOnce();
    await s.stepOnce();
    const files = unzipSync(await torchZip(s, 'http://127.0.0.1/#model=mlp'));
    expect(Object.keys(files).sort()).toEqual(['README.md', 'config.json', 'cr.py', 'data.py', 'export.json', 'model.py', 'rng.py', 'train.py', 'trained.safetensors', 'weights.py']);
    expect(JSON.parse(strFromU8(files['config.json'])).method).toBe('lsq+cr');
    const { tensors, metadata } = decodeSafetensors(files['trained.safetensors']);
    expect(metadata.steps).toBe('2');
    const w = s.model.params.find((p) => p.name === 'fc1/w')!;
    expect(Array.from(tensors.find((t) => t.name === 'fc1/w')!.data)).toEqual(Array.from(w.variable.dataSync()));
    const onnx = onnxBytes(await serializeModel(s.model, s.config, s.step, { dataset: ds.name, normalization: s.norm }));
    expect(onnx[0]).toBe(0x08);
    s.dispose();
  });
});
