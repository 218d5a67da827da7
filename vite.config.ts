import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv, type Plugin } from 'vite';
import { serviceWorker } from './vite-plugins/service-worker';
import { threadedWasmFactory } from './vite-plugins/threaded-wasm-factory';

// Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer), in dev and preview alike.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The page may fetch only from its own site (plus dataset origins a deployment lists in VITE_DATA_ORIGINS), so
 * nothing a person drops can leave the browser. wasm needs 'wasm-unsafe-eval'; the threaded wasm build starts
 * blob Workers that import a blob script; the dev server's React hot-reload preamble is an inline script.
 */
export function contentSecurityPolicy(dataOrigins: string, devServer: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' blob: 'wasm-unsafe-eval'${devServer ? " 'unsafe-inline'" : ''}`,
    "worker-src 'self' blob:",
    `connect-src 'self'${dataOrigins ? ` ${dataOrigins}` : ''}`,
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * A <meta> policy binds the document only: Workers loaded from a URL take the policy of their own response. The
 * dev and preview servers therefore send it as a header as well; a deployment should do the same.
 */
function writePolicy(dataOrigins: string): Plugin {
  let devServer = false;
  return {
    name: 'content-security-policy',
    configResolved: (c) => void (devServer = c.command === 'serve'),
    transformIndexHtml: (html) => html.replaceAll('__CONTENT_SECURITY_POLICY__', contentSecurityPolicy(dataOrigins, devServer)),
  };
}

export default defineConfig(({ mode }) => {
  const origins = (loadEnv(mode, process.cwd(), 'VITE_').VITE_DATA_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean).join(' ');
  return {
    plugins: [react(), writePolicy(origins), threadedWasmFactory(), serviceWorker(() => contentSecurityPolicy(origins, false))],
    server: { headers: { ...isolation, 'Content-Security-Policy': contentSecurityPolicy(origins, true) }, host: '127.0.0.1' },
    preview: { headers: { ...isolation, 'Content-Security-Policy': contentSecurityPolicy(origins, false) }, host: '127.0.0.1' },
    // Workers are bundled by a pipeline of their own, with its own plugins.
    worker: { format: 'es', plugins: () => [threadedWasmFactory()] },
    // The dev server pre-bundles dependencies, past the plugins above.
    optimizeDeps: { rolldownOptions: { plugins: [threadedWasmFactory()] } },
    build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  };
});
