/**
 * `npm run export-torch`: which run it exports (experiment flags, presets, --from results.json, a model file), what
 * it writes (the project's files, config.json = the run's TrainConfig, the engine's weights), and that bad input
 * gives one line and writes nothing. The generator stays free of TF.js and the DOM, and the page's `?raw` sources
 * are the files the CLI reads. No Python needed.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperimentArgs, planRuns } from '../src/cli/experiment-args';
import { readPythonSources } from '../src/cli/export-torch-sources';
import { runExportTorch } from '../src/cli/export-torch-run';
import { initBackend } from '../src/engine/backend/select';
import { serializeModel } from '../src/engine/export/model-file';
import { PYTHON_FILES } from '../src/engine/export/torch/python-sources';
import { decodeSafetensors, encodeSafetensors } from '../src/engine/export/torch/safetensors';
import { PYTHON_SOURCES } from '../src/engine/export/torch/sources-vite';
import { buildModel } from '../src/engine/models';
import { resolveConfig } from '../src/engine/train/config';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'export-torch-cli-'));
  await initBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function exportTorch(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runExportTorch(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const weightsOf = (dir: string, file: string) => decodeSafetensors(readFileSync(join(dir, file)));
let n = 0;
const fresh = () => join(root, `out-${n++}`);

describe('export-torch: the run', () => {
  it('from experiment flags: the files, the TrainConfig and the engine initial weights', async () => {
    const dir = fresh();
    const r = await exportTorch(['--model', 'mlp-narrow', '--steps', '7', '--wbits', '3', '--abits', '3', '--seeds', '5', '--out', dir]);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([...PYTHON_FILES, 'README.md', 'config.json', 'export.json', 'init.safetensors'].sort());
    const cfg = resolveConfig({ model: 'mlp-narrow', method: 'lsq', steps: 7, seed: 5, quant: { wbits: 3, abits: 3 } });
    expect(json(dir, 'config.json')).toEqual(cfg);
    const exported = json(dir, 'export.json');
    expect(exported).toMatchObject({ format: 'qat-playground-torch-export', run: 'mlp-narrow lsq W3A3 seed 5', weights: { file: 'init.safetensors', kind: 'init' } });
    expect(exported.dataset).toEqual({ kind: 'idx', name: 'fashion-mnist', dir: resolve('public/data/fashion-mnist'), numClasses: 10, inputShape: [28, 28, 1] });
    const { tensors, metadata } = weightsOf(dir, 'init.safetensors');
    expect(metadata).toMatchObject({ kind: 'init', calibrated: 'false' });
    const model = buildModel({ name: 'mlp-narrow', inputShape: [28, 28, 1], numClasses: 10, quant: cfg.quant, seed: 5 });
    const want = [...model.params.map((p) => ({ name: p.name, variable: p.variable })), ...model.buffers];
    expect(tensors.map((t) => t.name).sort()).toEqual(want.map((w) => w.name).sort());
    for (const w of want) expect(Array.from(tensors.find((t) => t.name === w.name)!.data)).toEqual(Array.from(w.variable.dataSync()));
    model.dispose();
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('torchrun --nproc_per_node');
    expect(readme).toContain('python3 train.py');
    for (const f of PYTHON_FILES) expect(readFileSync(join(dir, f), 'utf8')).toBe((await readPythonSources())[f]);
  });

  it("from a preset: the page's settings, one run of it picked with --run", async () => {
    const dir = fresh();
    const two = await exportTorch(['--preset', 'classroom', '--out', dir]);
    expect(two.code).toBe(2);
    expect(two.err).toHaveLength(1);
    expect(two.err[0]).toMatch(/2 runs: 0 mlp-narrow lsq W2A2 seed 0, 1 mlp-narrow lsq\+cr W2A2 seed 0; pick one with --run N/);
    expect(existsSync(dir)).toBe(false);
    const r = await exportTorch(['--preset', 'classroom', '--run', '1', '--lambda', '0.7', '--weights', 'none', '--out', dir]);
    expect(r.code, r.err.join('\n')).toBe(0);
    const plan = parseExperimentArgs(['--preset', 'classroom', '--lambda', '0.7']);
    if (plan === 'help') throw new Error('help');
    expect(json(dir, 'config.json')).toEqual(planRuns(plan)[1].config);
    expect(json(dir, 'config.json').cr.lambda.max).toBe(0.7);
    expect(json(dir, 'export.json').weights).toBeNull();
    expect(readdirSync(dir)).not.toContain('init.safetensors');
  });

  it('from a results.json: its command parsed again, the run picked by --run', async () => {
    const res = join(root, 'exp');
    mkdirSync(res, { recursive: true });
    const command = 'npm run experiment -- --model mlp --methods lsq,lsq+cr --wbits 2 --abits 2 --steps 9 --lr 0.02 --seeds 0-1 --backend cpu --out exp';
    const run = (method: string, seed: number) => ({ method, seed, wbits: 2, abits: 2, testAccuracy: 0.5, steps: 9, msPerStep: 1, backend: 'cpu', model: 'mlp', dataset: 'fashion-mnist' });
    writeFileSync(join(res, 'results.json'), JSON.stringify({ command, backend: 'cpu', complete: true, runs: [run('lsq', 0), run('lsq', 1), run('lsq+cr', 0), run('lsq+cr', 1)] }));
    const dir = fresh();
    const many = await exportTorch(['--from', join(res, 'results.json'), '--out', dir]);
    expect(many.code).toBe(2);
    expect(many.err[0]).toMatch(/4 runs: 0 mlp lsq W2A2 seed 0, .* 3 mlp lsq\+cr W2A2 seed 1; pick one with --run N/);
    const r = await exportTorch(['--from', join(res, 'results.json'), '--run', '3', '--out', dir]);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(json(dir, 'config.json')).toEqual(resolveConfig({ model: 'mlp', method: 'lsq+cr', seed: 1, steps: 9, lr: 0.02, quant: { wbits: 2, abits: 2 } }));
    expect(json(dir, 'export.json').origin).toContain(command);
    // Exporting again over an earlier export replaces it.
    const again = await exportTorch(['--from', join(res, 'results.json'), '--run', '0', '--out', dir]);
    expect(again.code, again.err.join('\n')).toBe(0);
    expect(json(dir, 'config.json').method).toBe('lsq');
  });

  it("from a model file: its trained weights, and alone its own run's settings", async () => {
    const cfg = resolveConfig({ model: 'cnn-tiny', method: 'lsq+cr', steps: 11, quant: { wbits: 4, abits: 4 } });
    const model = buildModel({ name: 'cnn-tiny', inputShape: [28, 28, 1], numClasses: 10, quant: cfg.quant, seed: 0 });
    model.params[0].variable.assign(model.params[0].variable.mul(1.5));
    const file = join(root, 'cnn.model.json');
    writeFileSync(file, await serializeModel(model, cfg, 11, { dataset: 'fashion-mnist' }));
    const dir = fresh();
    const r = await exportTorch(['--model-file', file, '--out', dir]);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(json(dir, 'config.json')).toEqual(cfg);
    expect(json(dir, 'export.json').weights).toEqual({ file: 'trained.safetensors', kind: 'trained', steps: 11 });
    const { tensors, metadata } = weightsOf(dir, 'trained.safetensors');
    expect(metadata).toMatchObject({ kind: 'trained', calibrated: 'true', steps: '11' });
    expect(Array.from(tensors.find((t) => t.name === model.params[0].name)!.data)).toEqual(Array.from(model.params[0].variable.dataSync()));
    // With the experiment's flags the run is theirs, and the file must be of the same network.
    const other = await exportTorch(['--model', 'cnn-tiny', '--methods', 'lsq', '--steps', '3', '--model-file', file, '--out', fresh()]);
    expect(other.code, other.err.join('\n')).toBe(0);
    const wrong = await exportTorch(['--model', 'mlp', '--model-file', file, '--out', fresh()]);
    expect(wrong.code).toBe(1);
    expect(wrong.err[0]).toMatch(/the model file is a cnn-tiny .*, the run needs a mlp/);
    model.dispose();
  });
});

describe('export-torch: bad input gives one line and writes nothing', () => {
  const bad = async (args: string[], code: number, message: RegExp) => {
    const dir = fresh();
    const r = await exportTorch([...args, '--out', dir]);
    expect(r.code, r.err.join('\n')).toBe(code);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(r.err[0]).not.toContain('\n');
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('.tmp'))).toEqual([]);
  };
  const file = (name: string, text: string) => {
    const p = join(root, name);
    writeFileSync(p, text);
    return p;
  };
  const results = (runs: unknown[], command = 'npm run experiment -- --model mlp --methods lsq --steps 5') => JSON.stringify({ command, runs });
  const run = { method: 'lsq', seed: 0, wbits: 4, abits: 4, model: 'mlp' };

  it('results files', async () => {
    const good = results([run]);
    await bad(['--from', file('truncated.json', good.slice(0, good.length - 9))], 2, /truncated\.json: not a results\.json of npm run experiment: it is not JSON/);
    await bad(['--from', file('other.json', JSON.stringify({ format: 'qat-playground-model' }))], 2, /not a results\.json of npm run experiment/);
    await bad(['--from', file('empty.json', results([]))], 2, /holds no finished run/);
    await bad(['--from', file('partial.json', results([{ method: 'lsq' }]))], 2, /run 0 lacks its model, method, seed or bits/);
    await bad(['--from', file('foreign.json', results([{ ...run, model: 'vgg16' }]))], 2, /run 0 \(vgg16 lsq W4A4 seed 0\) is not one its command trains/);
    await bad(['--from', file('stale.json', results([run], 'npm run experiment -- --model mlp --frobnicate 3'))], 2, /its command: .*frobnicate/);
    await bad(['--from', join(root, 'absent.json')], 2, /cannot read the results file .*absent\.json \(ENOENT\)/);
    await bad(['--from', file('kd.json', results([{ ...run, method: 'lsq+kd' }], 'npm run experiment -- --model mlp --methods lsq+kd'))], 2, /method lsq\+kd is not exported/);
    await bad(['--from', file('twice.json', good), '--model', 'mlp'], 2, /give --from or the experiment's flags, not both/);
  });

  it('model files', async () => {
    const cfg = resolveConfig({ model: 'mlp-narrow' });
    const model = buildModel({ name: 'mlp-narrow', inputShape: [28, 28, 1], numClasses: 10, quant: cfg.quant, seed: 0 });
    const text = await serializeModel(model, cfg, 3, { dataset: 'fashion-mnist' });
    model.dispose();
    const parsed = JSON.parse(text);
    await bad(['--model-file', file('cut.model.json', text.slice(0, 5000))], 2, /cut\.model\.json: not a model file: it is not JSON/);
    await bad(['--model-file', file('alien.model.json', JSON.stringify({ hello: 1 }))], 2, /not a qat-playground-model file/);
    await bad(['--model-file', file('vgg.model.json', JSON.stringify({ ...parsed, config: { ...parsed.config, model: 'vgg' } }))], 2, /its config is not a valid run: model must be one of/);
    const cut = (chars: number) => ({ ...parsed, tensors: parsed.tensors.map((t: { name: string; data: string }, i: number) => (i === 0 ? { ...t, data: t.data.slice(0, chars) } : t)) });
    await bad(['--model-file', file('damaged.model.json', JSON.stringify(cut(1000)))], 1, /"fc1\/w" is damaged: 750 bytes is not a whole number of float32 values/);
    await bad(['--model-file', file('short.model.json', JSON.stringify(cut(1024)))], 1, /"fc1\/w" holds 192 values, the model needs 50176/);
    const missingTensor = { ...parsed, tensors: parsed.tensors.slice(1) };
    await bad(['--model-file', file('missing.model.json', JSON.stringify(missingTensor))], 1, /the model file has no tensor "fc1\/w"/);
    await bad(['--model-file', file('cifar.model.json', JSON.stringify({ ...parsed, dataset: 'cifar10' }))], 2, /trained on cifar10; say where its files are with --dataset/);
    await bad(['--model', 'mlp', '--weights', 'trained'], 2, /--weights trained needs --model-file F/);
  });

  it('flags and targets', async () => {
    await bad(['--model', 'resnet50'], 2, /--model: "resnet50" is not one of mlp, mlp-narrow, cnn-tiny, cnn-small, resnet20/);
    await bad(['--methods', 'lsq+kd'], 2, /method lsq\+kd is not exported/);
    await bad(['--weights', 'best'], 2, /--weights: "best" is not one of init, trained, none/);
    await bad(['--model', 'mlp', '--run', '4'], 2, /--run: expected 0–0, got "4"/);
    await bad(['--dataset', `idx:${join(root, 'nowhere')}`], 1, /--dataset idx:.*nowhere: .*cannot read/);
    const r = await exportTorch(['--model', 'mlp']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['export-torch: --out DIR is required (see --help)']);
    const taken = join(root, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'notes.txt'), 'mine');
    const t = await exportTorch(['--model', 'mlp', '--out', taken]);
    expect(t.code).toBe(1);
    expect(t.err[0]).toMatch(/taken exists and is not an earlier export: choose another --out/);
    expect(readdirSync(taken)).toEqual(['notes.txt']);
  });
});

describe('export-torch: the generator', () => {
  it("the page's ?raw sources are the files the CLI reads", async () => {
    expect(PYTHON_SOURCES).toEqual(await readPythonSources());
  });

  it('needs no TF.js, no DOM and no package', () => {
    const dir = fileURLToPath(new URL('../src/engine/export/torch/', import.meta.url));
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      const text = readFileSync(path, 'utf8');
      expect(text, path).not.toMatch(/\b(document|window|navigator)\./);
      const src = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
      src.forEachChild((node) => {
        if (!ts.isImportDeclaration(node) || node.importClause?.isTypeOnly) return;
        const spec = (node.moduleSpecifier as ts.StringLiteral).text;
        if (!spec.startsWith('.')) packages.add(spec);
        else if (!spec.endsWith('?raw')) visit(resolve(dirname(path), `${spec}.ts`));
      });
    };
    for (const f of ['project.ts', 'sources-vite.ts', 'safetensors.ts']) visit(join(dir, f));
    expect([...packages]).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });

  it('safetensors round trip, and a truncated file is refused', () => {
    const t = [
      { name: 'b/w', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5, 6]) },
      { name: 'a.step', shape: [], data: Float32Array.from([0.25]) },
    ];
    const bytes = encodeSafetensors(t, { kind: 'init' });
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ kind: 'init' });
    expect(back.tensors.map((x) => [x.name, x.shape, Array.from(x.data)])).toEqual([
      ['a.step', [], [0.25]],
      ['b/w', [2, 3], [1, -2, 3.5, 4, 5, 6]],
    ]);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/"b\/w" is not whole float32 data/);
  });
});
