import type { Plugin } from 'vite';

/** The Emscripten factory of tfjs-backend-wasm's threaded build (an IIFE that returns the factory function). */
export const THREADED_FACTORY_FILE = /@tensorflow\/tfjs-backend-wasm\/wasm-out\/tfjs-backend-wasm-threaded-simd\.js$/;

const DECLARATION = 'var WasmBackendModuleThreadedSimd = ';
const LOGICAL_CORES = 'function _emscripten_num_logical_cores(){';

/**
 * The global a host sets to the number of logical cores the backend should plan for. The compiled backend gives
 * XNNPACK min(requested threads, 8, logical cores / 2) threads, assuming two hardware threads per core, so on a
 * 2-core machine it never uses more than one whatever `setThreadsCount` asks. A host that sets twice the threads
 * it wants gets exactly them.
 */
export const LOGICAL_CORES_GLOBAL = '__tfjsWasmLogicalCores';

/**
 * The wasm backend hands its pthread Workers `"var WasmBackendModuleThreadedSimd = " + factory.toString()` as a Blob
 * script. The factory reads `_scriptDir`, a variable of the IIFE around it, so the text of the function alone is not
 * self-contained; unminified it only works because a `typeof _scriptDir` guard survives. A minifier renames the
 * variable and drops the guard ("e is not defined" in every pthread). The cause is fixed here: the factory's
 * `toString` returns the whole IIFE, as the package wrote it, a string the minifier leaves alone. The factory also
 * learns to take its core count from LOGICAL_CORES_GLOBAL.
 */
export function selfContainedFactory(original: string): string {
  if (!original.includes(LOGICAL_CORES)) throw new Error('threaded wasm factory: the file no longer has the shape this fix expects');
  const code = original.replace(LOGICAL_CORES, `${LOGICAL_CORES}if(globalThis.${LOGICAL_CORES_GLOBAL}>0)return globalThis.${LOGICAL_CORES_GLOBAL};`);
  const start = code.indexOf(DECLARATION);
  const end = code.indexOf('})();', start);
  if (start < 0 || end < 0) throw new Error('threaded wasm factory: the file no longer has the shape this fix expects');
  const iife = code.slice(start + DECLARATION.length, end + '})()'.length);
  return `${code}\nWasmBackendModuleThreadedSimd.toString = function () { return ${JSON.stringify(iife)}; };\n`;
}

export function threadedWasmFactory(): Plugin {
  return {
    name: 'threaded-wasm-factory',
    enforce: 'pre',
    transform(code, id) {
      if (!THREADED_FACTORY_FILE.test(id.split('?')[0])) return null;
      return { code: selfContainedFactory(code), map: null };
    },
  };
}
