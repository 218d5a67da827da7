/** The project's Python sources for the page (Vite inlines `?raw` imports as strings). Node uses src/cli/export-torch-sources.ts. */
import cr from './python/cr.py?raw';
import data from './python/data.py?raw';
import model from './python/model.py?raw';
import rng from './python/rng.py?raw';
import train from './python/train.py?raw';
import weights from './python/weights.py?raw';
import type { PythonSources } from './python-sources';

export const PYTHON_SOURCES: PythonSources = { 'model.py': model, 'cr.py': cr, 'data.py': data, 'rng.py': rng, 'weights.py': weights, 'train.py': train };
