/**
 * The Python half of the exported project lives as real .py files in ./python (readable, runnable and testable
 * as Python). This module only names them: the CLI reads them from disk (src/cli/export-torch-sources.ts), the page
 * gets them as strings through Vite's `?raw` imports (./sources-vite.ts). tsx, which runs the CLI, cannot load
 * `?raw`, so neither path can serve both.
 */
export const PYTHON_FILES = ['model.py', 'cr.py', 'data.py', 'rng.py', 'weights.py', 'train.py'] as const;
export type PythonFile = (typeof PYTHON_FILES)[number];
export type PythonSources = Record<PythonFile, string>;
