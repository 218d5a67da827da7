import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/backend/select';
import { parseModelFile, serializeModel } from '../src/engine/export/model-file';
import { restoreModel } from '../src/engine/export/model-file';
import { modelFileToOnnx } from '../src/engine/export/onnx';
import { buildModel } from '../src/engine/models';
import { TrainingSession } from '../src/engine/train/session';
import { Fuzz } from './helpers/fuzz';
import { syntheticDataset } from './helpers/synthetic-dataset';

const CASES = 300;

/** A one-line reason: an Error (not an internal TypeError) whose message says what is wrong. */
function reasonOf(e: unknown): string {
  expect(e instanceof Error && !(e instanceof TypeError), `unexpected ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`).toBe(true);
  const m = (e as Error).message;
  expect(m.length).toBeGreaterThan(0);
  expect(m).not.toContain('\n');
  return m;
}

/** JSON-level damage: a field removed, retyped or out of range, a tensor dropped or cut. */
function damage(f: Fuzz, file: Record<string, unknown>): unknown {
  const c = structuredClone(file) as Record<string, any>;
  const t = c.tensors[f.int(0, c.tensors.length - 1)];
  switch (f.int(0, 9)) {
    case 0: delete c[f.pick(['format', 'version', 'spec', 'config', 'tensors', 'steps'])]; break;
    case 1: c.spec.name = f.pick(['vgg', '', 7, null]); break;
    case 2: c.spec.inputShape = f.pick([[0, 0, 0], [28, 28], 'x', [-1, 28, 1], [1e9, 1e9, 3]]); break;
    case 3: c.spec.numClasses = f.pick([0, -3, 1e9, 'ten', 2.5]); break;
    case 4: c.tensors.splice(f.int(0, c.tensors.length - 1), 1); break;
    case 5: t.shape = f.pick([[1], [], 'x', [2 ** 31, 2 ** 31], [-4, 2]]); break;
    case 6: t.data = f.pick(['', '!!!', t.data.slice(0, f.int(0, t.data.length)), 12]); break;
    case 7: if (t.quant) t.quant.bits = f.pick([0, 1, 9, 33, 'x']); else t.name = '?'; break;
    case 8: c.spec.quant = f.pick([null, {}, { wbits: 99, abits: 2 }]); break;
    default: c.tensors = f.pick([null, {}, 'none', [null], [{}]]); break;
  }
  return c;
}

describe('fuzzed model files, read back', () => {
  let text = '';
  beforeAll(async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    const ds = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 3, train: 30, test: 6 });
    const s = new TrainingSession(ds, { model: 'mlp', method: 'lsq', steps: 1, labeled: 12, batchSize: 4, evalEvery: 0, quant: { wbits: 2, abits: 2 } });
    await s.stepOnce();
    text = await serializeModel(s.model, s.config, s.step, { dataset: 'fashion-mnist', normalization: s.norm });
    s.dispose();
  });

  it('accepts the undamaged file (the fuzz starts from one that reads back)', () => {
    const file = parseModelFile(text);
    const model = buildModel(file.spec);
    restoreModel(model, file);
    model.dispose();
    expect(modelFileToOnnx(text).bytes.length).toBeGreaterThan(100);
  });

  it(`end converted to ONNX and restored, or refused with a one-line reason (${CASES} cases)`, () => {
    const f = new Fuzz('model-file');
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const bytes = new TextEncoder().encode(text);
      const damaged = f.float() < 0.4 ? new TextDecoder().decode(f.mutate(bytes)) : JSON.stringify(damage(f, JSON.parse(text)));
      let failed = false;
      try {
        modelFileToOnnx(damaged);
      } catch (e) {
        reasonOf(e);
        failed = true;
      }
      try {
        const file = parseModelFile(damaged);
        const model = buildModel(file.spec);
        try {
          restoreModel(model, file);
        } finally {
          model.dispose();
        }
      } catch (e) {
        reasonOf(e);
        failed = true;
      }
      if (failed) refused++;
    }
    expect(refused).toBeGreaterThan(CASES / 2);
  });
});
