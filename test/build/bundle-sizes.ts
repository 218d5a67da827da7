import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BundleSize {
  files: string[];
  raw: number;
  gzip: number;
}

/** Chunks a chunk loads before it runs (static imports), or on demand (dynamic imports). */
function importsOf(code: string): { eager: string[]; lazy: string[] } {
  const eager = [...code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["'`]\.\/([^"'`]+\.js)["'`]/g)].map((m) => m[1]);
  const lazy = [...code.matchAll(/import\(\s*["'`]\.\/([^"'`]+\.js)["'`]\s*\)/g)].map((m) => m[1]);
  return { eager, lazy };
}

function closure(assets: string, roots: string[], lazyToo: boolean): BundleSize {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !existsSync(join(assets, name))) return;
    seen.add(name);
    const { eager, lazy } = importsOf(readFileSync(join(assets, name), 'utf8'));
    for (const n of [...eager, ...(lazyToo ? lazy : [])]) visit(n);
  };
  roots.forEach(visit);
  const files = [...seen].sort();
  const bytes = files.map((f) => readFileSync(join(assets, f)));
  return { files, raw: bytes.reduce((s, b) => s + b.length, 0), gzip: bytes.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0) };
}

/**
 * The built app's JavaScript, by thread: what the page's main thread loads before it starts a Worker (the entry
 * script of index.html and its static imports), and each Worker's bundle with every chunk it may load on demand
 * (the backends are dynamic imports).
 */
export function bundleSizes(dist: string): { page: BundleSize; workers: Record<string, BundleSize> } {
  const assets = join(dist, 'assets');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]*type="module"[^>]*src="\/?assets\/([^"]+\.js)"/g)].map((m) => m[1]);
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/?assets\/([^"]+\.js)"/g)].map((m) => m[1]);
  if (entries.length === 0) throw new Error(`${dist}/index.html names no module script`);
  const workers: Record<string, BundleSize> = {};
  for (const f of readdirSync(assets).filter((n) => /\.worker-[\w-]+\.js$/.test(n))) {
    workers[f.replace(/-[\w-]+\.js$/, '')] = closure(assets, [f], true);
  }
  return { page: closure(assets, [...entries, ...preloads], false), workers };
}
