/**
 * Measures how closely the ONNX export follows the engine, on the whole Fashion-MNIST test split (10,000 images):
 * trains one run with `npm run experiment`'s flags and settings (or takes a saved model file), exports it, and runs
 * both the engine (eval mode) and ONNX Runtime (onnxruntime-web's wasm build, a devDependency) on every test image.
 *
 *   npx tsx src/cli/export-onnx-measure.ts --model mlp --methods lsq --wbits 4 --abits 4 --steps 300 --seeds 0 [--json]
 *   npx tsx src/cli/export-onnx-measure.ts --model-file F.json [--json]
 *
 * Also: --eval-backend cpu|wasm (the engine's reference logits; default cpu, the backend the tests compare on),
 * --keep DIR (keep model.json and model.onnx there). Reports: equal predictions, max |logit difference|, how many
 * images differ by more than 1e-3, both accuracies, and the ONNX file's size against the model file's, for ONNX
 * Runtime's default optimisations ('all') and with none ('disabled').
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { buildModel, EVAL_CTX, initBackend, makeBatch, modelFileToOnnx, ONNX_INPUT, ONNX_OUTPUT, parseModelFile, restoreModel, serializeModel, TrainingSession } from '../engine';
import { loadFashionMnistNode } from '../node/project-files';
import { parseExperimentArgs, planRuns } from './experiment-args';
import { UsageError } from './usage-error';

interface Own {
  modelFile?: string;
  keep?: string;
  evalBackend: 'cpu' | 'wasm';
  json: boolean;
  rest: string[];
}

function ownFlags(argv: string[]): Own {
  const own: Own = { evalBackend: 'cpu', json: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--model-file') own.modelFile = value();
    else if (a === '--keep') own.keep = value();
    else if (a === '--json') own.json = true;
    else if (a === '--eval-backend') {
      const v = value();
      if (v !== 'cpu' && v !== 'wasm') throw new UsageError(`--eval-backend: cpu or wasm, got "${v}"`);
      own.evalBackend = v;
    } else own.rest.push(a);
  }
  return own;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function trainedModelFile(argv: string[]): Promise<string> {
  const plan = parseExperimentArgs(argv);
  if (plan === 'help') throw new UsageError('the experiment flags are those of npm run experiment -- --help');
  const runs = planRuns(plan);
  if (runs.length !== 1) throw new UsageError(`the flags plan ${runs.length} runs; give one model, method, bit pair and seed`);
  if (plan.dataset !== 'fashion-mnist') throw new UsageError('this measures on the Fashion-MNIST test split: --dataset fashion-mnist');
  const { config } = runs[0];
  const backend = await initBackend(plan.backend === 'auto' ? 'wasm' : plan.backend);
  const ds = await loadFashionMnistNode();
  log(`training ${config.model} ${config.method} W${config.quant.wbits}A${config.quant.abits} (first/last ${config.quant.firstLastBits}, ${config.quant.perChannel ? 'per-channel' : 'per-tensor'}) ${config.steps} steps on ${backend.name}…`);
  const session = new TrainingSession(ds, config);
  const t0 = Date.now();
  await session.start();
  const test = await session.evaluate('test', 0);
  log(`trained in ${((Date.now() - t0) / 1000).toFixed(1)} s; test accuracy ${(100 * test.accuracy).toFixed(2)}% (${backend.name})`);
  const text = await serializeModel(session.model, session.config, session.step, { dataset: 'fashion-mnist', normalization: session.norm });
  session.dispose();
  return text;
}

function argmax(v: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (v[row * k + j] > v[row * k + best]) best = j;
  return best;
}

async function main(argv: string[]): Promise<number> {
  let own: Own;
  try {
    own = ownFlags(argv);
  } catch (e) {
    process.stderr.write(`export-onnx-measure: ${(e as Error).message}\n`);
    return 2;
  }
  tf.env().set('PROD', true);
  let text: string;
  try {
    text = own.modelFile ? await readFile(own.modelFile, 'utf8') : await trainedModelFile(own.rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`export-onnx-measure: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const file = parseModelFile(text);
  const exported = modelFileToOnnx(file);
  const dir = own.keep ?? (await mkdtemp(join(tmpdir(), 'onnx-measure-')));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), text);
  await writeFile(join(dir, 'model.onnx'), exported.bytes);

  // The engine's reference logits: the model rebuilt from the file on the evaluation backend.
  await initBackend(own.evalBackend);
  const ds = await loadFashionMnistNode();
  const norm = { mean: exported.normalization.mean, std: exported.normalization.std };
  const model = buildModel(file.spec);
  restoreModel(model, file);
  const n = ds.test.count;
  const k = ds.numClasses;
  const engine = new Float32Array(n * k);
  const t0 = Date.now();
  for (let start = 0; start < n; start += 500) {
    const idx = Int32Array.from({ length: Math.min(500, n - start) }, (_, i) => start + i);
    const { x, y } = makeBatch(ds, ds.test, idx, norm);
    const logits = tf.tidy(() => model.forward(x, EVAL_CTX));
    engine.set((await logits.data()) as Float32Array, start * k);
    tf.dispose([x, y, logits]);
  }
  const engineMs = Date.now() - t0;
  model.dispose();

  ort.env.wasm.numThreads = 1;
  const pixels = Float32Array.from(ds.test.images, (p) => p / 255);
  const per = ds.height * ds.width * ds.channels;
  const labels = ds.test.labels;
  const results = [];
  for (const level of ['all', 'disabled'] as const) {
    const session = await ort.InferenceSession.create(exported.bytes, { graphOptimizationLevel: level });
    const onnx = new Float32Array(n * k);
    const t1 = Date.now();
    for (let start = 0; start < n; start += 1000) {
      const count = Math.min(1000, n - start);
      const input = new ort.Tensor('float32', pixels.subarray(start * per, (start + count) * per), [count, ds.height, ds.width, ds.channels]);
      onnx.set((await session.run({ [ONNX_INPUT]: input }))[ONNX_OUTPUT].data as Float32Array, start * k);
    }
    const onnxMs = Date.now() - t1;
    await session.release();
    let equal = 0;
    let maxDiff = 0;
    let over = 0;
    let engineHits = 0;
    let onnxHits = 0;
    for (let r = 0; r < n; r++) {
      const a = argmax(engine, r, k);
      const b = argmax(onnx, r, k);
      if (a === b) equal++;
      if (a === labels[r]) engineHits++;
      if (b === labels[r]) onnxHits++;
      let rowMax = 0;
      for (let j = 0; j < k; j++) rowMax = Math.max(rowMax, Math.abs(engine[r * k + j] - onnx[r * k + j]));
      if (rowMax > 1e-3) over++;
      maxDiff = Math.max(maxDiff, rowMax);
    }
    results.push({ ortOptimization: level, images: n, equalPredictions: equal / n, maxAbsLogitDiff: maxDiff, imagesOver1e3: over, engineAccuracy: engineHits / n, onnxAccuracy: onnxHits / n, onnxMs });
  }
  const sizes = { modelFileBytes: Buffer.byteLength(text), onnxBytes: exported.bytes.length };
  const q = file.spec.quant;
  const summary = {
    model: file.spec.name,
    method: file.config.method,
    bits: { wbits: q.wbits, abits: q.abits, firstLastBits: q.firstLastBits, perChannel: q.perChannel },
    steps: file.steps,
    evalBackend: own.evalBackend,
    engineMs,
    ...sizes,
    results,
  };
  if (own.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
    process.stdout.write(
      [
        `${summary.model} ${summary.method} W${q.wbits}A${q.abits} first/last ${q.firstLastBits} ${q.perChannel ? 'per-channel' : 'per-tensor'}, ${summary.steps} steps; engine on ${own.evalBackend} vs ONNX Runtime (wasm), ${n} Fashion-MNIST test images`,
        `| ORT optimisation | equal predictions | max abs logit diff | images > 1e-3 | engine acc | ONNX acc |`,
        `|---|---|---|---|---|---|`,
        ...results.map((r) => `| ${r.ortOptimization} | ${pct(r.equalPredictions)} (${Math.round(r.equalPredictions * n)}/${n}) | ${r.maxAbsLogitDiff.toExponential(2)} | ${r.imagesOver1e3} | ${pct(r.engineAccuracy)} | ${pct(r.onnxAccuracy)} |`),
        `ONNX ${(sizes.onnxBytes / 1024).toFixed(1)} KiB vs model file ${(sizes.modelFileBytes / 1024).toFixed(1)} KiB (${(sizes.modelFileBytes / sizes.onnxBytes).toFixed(1)}× smaller)${own.keep ? `; files in ${dir}` : ''}`,
      ].join('\n') + '\n',
    );
  }
  if (!own.keep) await rm(dir, { recursive: true, force: true });
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
