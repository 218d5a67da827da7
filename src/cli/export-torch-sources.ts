/** The exported project's Python sources read from disk (Node, the CLI); the page imports them with `?raw` instead. */
import { readFile } from 'node:fs/promises';
import { PYTHON_FILES, type PythonSources } from '../engine';

const DIR = new URL('../engine/export/torch/python/', import.meta.url);

export async function readPythonSources(): Promise<PythonSources> {
  const texts = await Promise.all(PYTHON_FILES.map((f) => readFile(new URL(f, DIR), 'utf8')));
  return Object.fromEntries(PYTHON_FILES.map((f, i) => [f, texts[i]])) as PythonSources;
}
