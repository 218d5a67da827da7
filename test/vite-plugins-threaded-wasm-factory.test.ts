import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { LOGICAL_CORES_GLOBAL, selfContainedFactory, threadedWasmFactory } from '../vite-plugins/threaded-wasm-factory';

const FACTORY = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
const dir = mkdtempSync(join(tmpdir(), 'qat-factory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the wasm backend puts in its pthread Workers' Blob, from a minified bundle of the factory. */
async function blobTextAfterMinifying(withFix: boolean): Promise<string> {
  const entry = join(dir, 'entry.js');
  writeFileSync(entry, `import factory from ${JSON.stringify(FACTORY)};\nexport const blob = 'var WasmBackendModuleThreadedSimd = ' + factory.toString();\n`);
  const outDir = join(dir, withFix ? 'fixed' : 'plain');
  await build({
    configFile: false,
    logLevel: 'silent',
    plugins: withFix ? [threadedWasmFactory()] : [],
    build: { outDir, minify: true, lib: { entry, formats: ['es'], fileName: 'out' }, emptyOutDir: true },
  });
  const mod = (await import(pathToFileURL(join(outDir, 'out.js')).href)) as { blob: string };
  return mod.blob;
}

describe('the threaded wasm factory under minification', () => {
  const original = readFileSync(FACTORY, 'utf8');

  it('hands the pthread Workers the package source of the whole IIFE, untouched by the minifier', async () => {
    const blob = await blobTextAfterMinifying(true);
    const iife = blob.replace('var WasmBackendModuleThreadedSimd = ', '');
    // The package's text, but for the core count the host may set.
    const hook = `if(globalThis.${LOGICAL_CORES_GLOBAL}>0)return globalThis.${LOGICAL_CORES_GLOBAL};`;
    expect(iife).toContain(`function _emscripten_num_logical_cores(){${hook}`);
    expect(original).toContain(iife.replace(hook, ''));
    expect(iife).toMatch(/^\(\(\) => \{\s*var _scriptDir =/);
    // The Blob script defines the factory by itself, in a scope with no `_scriptDir` of its own.
    const factory = new Function(`${blob}; return WasmBackendModuleThreadedSimd;`)() as unknown;
    expect(typeof factory).toBe('function');
  });

  it('is needed: without it the minifier rewrites the text the Workers get', async () => {
    const blob = await blobTextAfterMinifying(false);
    expect(original).not.toContain(blob.replace('var WasmBackendModuleThreadedSimd = ', ''));
  });

  it('refuses a file whose shape it does not know instead of shipping a broken factory', () => {
    expect(() => selfContainedFactory('module.exports = function () {};')).toThrow(/no longer has the shape/);
  });
});
