import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv, type Plugin } from 'vite';

// Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer), in dev and preview alike.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Fills in the Content-Security-Policy of index.html: the dataset origins a deployment allows (VITE_DATA_ORIGINS),
 * and, on the dev server only, inline scripts for React's hot-reload preamble.
 */
function contentSecurityPolicy(dataOrigins: string): Plugin {
  let serving = false;
  return {
    name: 'content-security-policy',
    configResolved: (c) => void (serving = c.command === 'serve'),
    transformIndexHtml: {
      order: 'post',
      handler: (html) => {
        let out = html.replaceAll(' __DATA_ORIGINS__', dataOrigins ? ` ${dataOrigins}` : '');
        if (serving) out = out.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
        return out;
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  const origins = (loadEnv(mode, process.cwd(), 'VITE_').VITE_DATA_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean).join(' ');
  return {
    plugins: [react(), contentSecurityPolicy(origins)],
    server: { headers: isolation, host: '127.0.0.1' },
    preview: { headers: isolation, host: '127.0.0.1' },
    worker: { format: 'es' },
    // No minification: the threaded wasm backend stringifies its module factory into a Blob for its pthread
    // workers, and renamed identifiers inside that source break it ("e is not defined").
    build: { target: 'es2022', chunkSizeWarningLimit: 4096, minify: false },
  };
});
