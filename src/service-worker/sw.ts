/**
 * The page's service worker (service-worker thread). It keeps the app and the shipped dataset in a cache so the page
 * loads and trains offline after one visit, and it adds the headers a plain static host does not send: COOP/COEP
 * (cross-origin isolation, so wasm keeps its threads) and the Content-Security-Policy (a <meta> policy binds the
 * document only; Workers take the policy of their own response). It imports nothing: the build writes the list of
 * files and the policy into it.
 */

// Filled in by the build (vite-plugins/service-worker.ts).
declare const PRECACHE: readonly string[];
declare const CACHE_NAME: string;
declare const CONTENT_SECURITY_POLICY: string;

interface LifecycleEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface RequestEvent extends LifecycleEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', fn: (e: LifecycleEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: RequestEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
  registration: { scope: string };
}
const sw = self as unknown as ServiceWorkerScope;

const scope = new URL(sw.registration.scope);
const precached = new Set(PRECACHE.map((p) => new URL(p, scope).href));

sw.addEventListener('install', (e) => {
  // The page registers this once it has loaded, so these requests mostly come from the HTTP cache.
  e.waitUntil(
    caches
      .open(CACHE_NAME)
      .then((c) => c.addAll([...precached]))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('qat-') && n !== CACHE_NAME).map((n) => caches.delete(n))))
      .then(() => sw.clients.claim()),
  );
});

/** A same-origin response with the isolation and policy headers added; others pass unchanged. */
function withHeaders(res: Response): Response {
  if (res.type !== 'basic' && res.type !== 'default') return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  if (!headers.has('Content-Security-Policy')) headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** Pages (any link hash) are the app's index.html: the network's copy when there is one, else the cached one. */
async function page(req: Request): Promise<Response> {
  const index = scope.href;
  try {
    const res = await fetch(req);
    if (res.ok) (await caches.open(CACHE_NAME)).put(index, res.clone());
    return res;
  } catch {
    return (await caches.match(index)) ?? Response.error();
  }
}

/** Built files are named by their content, so the cached copy is always the right one. */
async function file(req: Request): Promise<Response> {
  const cached = await caches.match(req.url);
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok && precached.has(req.url)) (await caches.open(CACHE_NAME)).put(req.url, res.clone());
  return res;
}

sw.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== scope.origin || !url.href.startsWith(scope.href)) return;
  e.respondWith((req.mode === 'navigate' ? page(req) : file(req)).then(withHeaders));
});
