/**
 * How the project's kernels plug in: no import cycle under src/engine/kernels/ (type-only imports included), every
 * fused kernel of the contracts implemented on each backend's list (or named here as deliberately absent), and
 * registration that is idempotent and switches stock → custom → stock back to the exact stock configs.
 * The webgpu registry is checked in kernels-webgpu-updates.test.ts, which runs on Dawn.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING, BATCH_NORM_STATS, COUNT_CORRECT, FUSED_KERNEL_NAMES, type FusedKernelName, SOFT_XENT, SOFT_XENT_GRAD } from '../src/engine/kernels/contracts';
import { cpuKernels } from '../src/engine/kernels/cpu';
import type { ProjectKernel } from '../src/engine/kernels/project-kernel';
import { activeKernelSet, projectKernelsOf, registerProjectKernels } from '../src/engine/kernels/register';
import { wasmKernels } from '../src/engine/kernels/wasm';
import { webgpuKernels } from '../src/engine/kernels/webgpu';
import { expectSameRegistry, registryChanges, registrySnapshot } from './helpers/kernel-registry';

const KERNELS_DIR = resolve(__dirname, '../src/engine/kernels');

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFilesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  return null;
}

/** Relative imports of each file reachable from `roots`: import, import type, export … from, import(). */
function importGraph(roots: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = [...roots];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = importedFiles
      .map((f) => f.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolveImport(file, spec))
      .filter((p): p is string => p !== null);
    graph.set(file, deps);
    todo.push(...deps);
  }
  return graph;
}

/** Every cycle a depth-first walk meets, each as the files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('imports under src/engine/kernels', () => {
  it('the walk sees type-only imports and reports their cycles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qat-cycle-'));
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nexport const a = 1;\nexport type A = B;\n");
    writeFileSync(join(dir, 'b.ts'), "import {\n  a,\n} from './a';\nexport type B = typeof a;\n");
    const found = cycles(importGraph([join(dir, 'a.ts')]));
    expect(found.map((c) => c.map((f) => relative(dir, f)))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });

  it('form no cycle', () => {
    const graph = importGraph(tsFilesUnder(KERNELS_DIR));
    expect(graph.size).toBeGreaterThan(20);
    const root = resolve(__dirname, '..');
    expect(cycles(graph).map((c) => c.map((f) => relative(root, f)).join(' → '))).toEqual([]);
  });
});

const LISTS: Record<string, readonly ProjectKernel[]> = { cpu: cpuKernels, webgpu: webgpuKernels, wasm: wasmKernels };

/**
 * Fused kernels a backend deliberately lacks; the ops compute the same there with plain TF.js ops.
 * wasm: those ops already run in the backend's compiled code, and a JavaScript kernel would copy every tensor out
 * of wasm memory and back. cpu lacks the BatchNorm kernels: they exist to cut GPU launches, and their sums could not
 * match the order of the ops' reductions bit for bit, which the cpu kernels promise.
 */
// The loss kernels cut launches, which cpu does not have: its ops are the reference they are checked against.
const CPU_ABSENT: readonly FusedKernelName[] = [BATCH_NORM_STATS, BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING, SOFT_XENT, SOFT_XENT_GRAD, COUNT_CORRECT];
const ABSENT: Record<string, readonly FusedKernelName[]> = { cpu: CPU_ABSENT, webgpu: [], wasm: FUSED_KERNEL_NAMES };

const ALWAYS_ON: Record<string, string[]> = { cpu: ['Transform'], webgpu: ['MaxPoolGrad', 'BatchMatMul', '_FusedMatMul'], wasm: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] };

describe.each(Object.keys(LISTS))('the %s kernel list', (backend) => {
  const list = LISTS[backend];
  const fused = list.filter((k) => (FUSED_KERNEL_NAMES as string[]).includes(k.kernelName));

  it('is the one registerProjectKernels uses', () => {
    expect(projectKernelsOf(backend)).toBe(list);
  });

  it('implements every fused kernel of the contracts but those named as absent, once each', () => {
    const names = list.map((k) => k.kernelName);
    expect(new Set(names).size).toBe(names.length);
    const implemented = fused.map((k) => k.kernelName);
    expect(implemented.filter((n) => ABSENT[backend].includes(n as FusedKernelName))).toEqual([]);
    expect([...implemented, ...ABSENT[backend]].sort()).toEqual([...FUSED_KERNEL_NAMES].sort());
  });

  it('puts fused kernels in the swappable set and says which kernels are always on', () => {
    expect(fused.every((k) => k.role === 'custom')).toBe(true);
    expect(list.filter((k) => k.role === 'always').map((k) => k.kernelName)).toEqual(ALWAYS_ON[backend]);
  });
});

describe('registerProjectKernels', () => {
  let warn: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    // tfjs-core warns when a kernel is registered over another: registration must never do that.
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('on cpu: twice is harmless, and stock → custom → stock restores the exact stock configs', () => {
    const before = registrySnapshot('cpu');
    registerProjectKernels('cpu');
    registerProjectKernels('cpu');
    expect(activeKernelSet('cpu')).toBe('stock');
    // The stock set is TF.js's kernels plus the always-on correction of Transform.
    const stock = registrySnapshot('cpu');
    expect(registryChanges(before, stock)).toEqual({ changed: ['Transform'], removed: [] });

    registerProjectKernels('cpu', 'custom');
    const custom = registrySnapshot('cpu');
    expect(registryChanges(stock, custom)).toEqual({ changed: FUSED_KERNEL_NAMES.filter((n) => !CPU_ABSENT.includes(n)).sort(), removed: [] });
    registerProjectKernels('cpu', 'custom');
    registerProjectKernels('cpu');
    expect(activeKernelSet('cpu')).toBe('custom');
    expectSameRegistry(registrySnapshot('cpu'), custom);

    registerProjectKernels('cpu', 'stock');
    expectSameRegistry(registrySnapshot('cpu'), stock);
    expect(activeKernelSet('cpu')).toBe('stock');
  });

  it('on wasm: the always-on kernels replace or add exactly their names, under both sets', () => {
    const before = registrySnapshot('wasm');
    registerProjectKernels('wasm');
    const registered = registrySnapshot('wasm');
    expect(registryChanges(before, registered)).toEqual({ changed: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'], removed: [] });
    registerProjectKernels('wasm');
    expectSameRegistry(registrySnapshot('wasm'), registered);
    registerProjectKernels('wasm', 'custom');
    expectSameRegistry(registrySnapshot('wasm'), registered);
    registerProjectKernels('wasm', 'stock');
    expectSameRegistry(registrySnapshot('wasm'), registered);
  });

  it('leaves a backend without a list alone', () => {
    const before = registrySnapshot('webgl');
    registerProjectKernels('webgl', 'custom');
    expectSameRegistry(registrySnapshot('webgl'), before);
  });

  it('refuses a backend whose module has not registered its kernels yet', () => {
    // No webgpu module is imported here, so there is nothing stock to remember.
    expect(tf.getKernelsForBackend('webgpu')).toEqual([]);
    expect(() => registerProjectKernels('webgpu')).toThrow(/import the webgpu backend first/);
  });
});
