import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'vite';

export const SERVICE_WORKER_FILE = 'sw.js';

function publicFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out = statSync(p).isDirectory() ? [...out, ...publicFiles(p)] : [...out, p];
  }
  return out;
}

/**
 * Writes `sw.js` next to index.html in a production build: src/service-worker/sw.ts, compiled, with the list of
 * every built file and public file (the shipped dataset), a cache name that changes with them, and the page's
 * Content-Security-Policy.
 */
export function serviceWorker(contentSecurityPolicy: () => string): Plugin {
  let publicDir = '';
  return {
    name: 'service-worker',
    apply: 'build',
    configResolved: (c) => void (publicDir = c.publicDir),
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((f) => f !== SERVICE_WORKER_FILE && !f.endsWith('.map'));
      const fromPublic = publicDir ? publicFiles(publicDir).map((p) => relative(publicDir, p).split('\\').join('/')) : [];
      const files = ['./', ...[...built, ...fromPublic].sort()];
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const source = readFileSync(new URL('../src/service-worker/sw.ts', import.meta.url), 'utf8');
      const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
      const header = [
        `const PRECACHE = ${JSON.stringify(files)};`,
        `const CACHE_NAME = ${JSON.stringify(`qat-${version}`)};`,
        `const CONTENT_SECURITY_POLICY = ${JSON.stringify(contentSecurityPolicy())};`,
      ].join('\n');
      this.emitFile({ type: 'asset', fileName: SERVICE_WORKER_FILE, source: `${header}\n${js.replace(/^export \{\};?\s*$/m, '')}` });
    },
  };
}
