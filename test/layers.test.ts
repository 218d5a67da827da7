import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house's layers, as folders: each may import (values or types) only from the folders listed. `app/` is the
 * main thread's wiring; `worker/` and `user-data/` hold Worker-thread code and the protocols both threads share;
 * `store/` is state only; `engine/` imports nothing outside itself; `node/` holds the adapters only Node has (files,
 * Dawn's WebGPU).
 */
const ALLOWED: Record<string, readonly string[]> = {
  engine: ['engine'],
  config: ['config', 'engine'],
  worker: ['worker', 'engine', 'config', 'user-data'],
  'user-data': ['user-data', 'engine', 'config'],
  store: ['store', 'engine', 'config', 'worker', 'user-data'],
  export: ['export', 'engine', 'config', 'store', 'worker'],
  app: ['app', 'engine', 'config', 'worker', 'user-data', 'store', 'export'],
  ui: ['ui', 'app', 'engine', 'config', 'worker', 'user-data', 'store', 'export'],
  cli: ['cli', 'engine', 'config', 'node'],
  node: ['node', 'engine'],
  'service-worker': [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

function crossings(): string[] {
  const src = resolve('src');
  const out: string[] = [];
  for (const file of sourceFiles(src)) {
    const layer = relative(src, file).split('/')[0];
    const allowed = ALLOWED[layer];
    if (!allowed) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\(\s*|new URL\(\s*)'(\.{1,2}\/[^']*)'/g)) {
      const target = relative(src, resolve(dirname(file), m[1])).split('/')[0];
      if (!allowed.includes(target)) out.push(`${relative(src, file)} imports ${m[1]} (${layer} → ${target})`);
    }
  }
  return out;
}

describe('the layers of the source tree', () => {
  it('every folder imports only from the folders below it', () => {
    expect(crossings()).toEqual([]);
  });

  it('gives the hosts (Worker, CLI, Node adapters) one front door into the engine: src/engine/index.ts or its vocabulary', () => {
    const src = resolve('src');
    const engine = resolve('src/engine');
    // Vite inlines the Python sources of the PyTorch export (?raw imports): only the browser build can load that module.
    const viteOnly = resolve('src/engine/export/torch/sources-vite');
    const deep: string[] = [];
    for (const host of ['worker', 'cli', 'node']) {
      for (const file of sourceFiles(join(src, host))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']*)'/g)) {
          const target = resolve(dirname(file), m[1]);
          if (!target.startsWith(engine)) continue;
          const ok = target === engine || target.startsWith(join(engine, 'vocabulary')) || (host === 'worker' && target === viteOnly);
          if (!ok) deep.push(`${relative(src, file)} imports ${m[1]}`);
        }
      }
    }
    expect(deep).toEqual([]);
    expect(readFileSync('src/engine/index.ts', 'utf8')).toMatch(/export \{[^}]*TrainingSession[^}]*\} from '\.\/train\/session'/);
  });

  it('keeps Node-only modules out of the engine, which also runs in the browser', () => {
    const nodeOnly = sourceFiles(resolve('src/engine')).filter((f) =>
      /from\s+'(node:[^']+|webgpu|fs|path)'|import\(\s*'(node:[^']+|webgpu)'\s*\)/.test(readFileSync(f, 'utf8')),
    );
    expect(nodeOnly.map((f) => relative(resolve('src'), f))).toEqual([]);
    expect(readFileSync('src/node/webgpu.ts', 'utf8')).toMatch(/import\('webgpu'\)/);
  });

  it('knows every top-level folder of src/, so a new one has to say where it sits', () => {
    const folders = readdirSync('src').filter((n) => statSync(join('src', n)).isDirectory());
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });
});
