import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer), in dev and preview alike.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation, host: '127.0.0.1' },
  preview: { headers: isolation, host: '127.0.0.1' },
  worker: { format: 'es' },
  // No minification: the threaded wasm backend stringifies its module factory into a Blob for its pthread
  // workers, and renamed identifiers inside that source break it ("e is not defined").
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, minify: false },
});
