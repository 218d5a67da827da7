import { formatBytes } from './gunzip-limited';
import type { InputFile } from './types';

/** A download that was refused or failed; the message is meant for the person who asked for it. */
export class DatasetFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetFetchError';
  }
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const PRIVACY =
  "The page's Content-Security-Policy lets it talk only to its own site, so that nothing you drop on it can " +
  'leave the browser. Download the file and drop it on the page instead, or host it next to the page.';

/**
 * Whether the page may fetch `url`: an http(s) URL (relative ones resolve against the page) on the page's own
 * origin or one of `allowedOrigins`. Pure, so the rule can be tested without a network.
 */
export function checkDatasetUrl(url: string, allowedOrigins: string[], pageOrigin: string): UrlCheck {
  const text = url.trim();
  if (text === '') return { ok: false, reason: 'no URL given' };
  let parsed: URL;
  try {
    parsed = new URL(text, pageOrigin);
  } catch {
    return { ok: false, reason: `"${text}" is not a valid URL` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: `only http and https URLs can be loaded, not ${parsed.protocol.replace(/:$/, '')}:` };
  }
  if (parsed.username || parsed.password) {
    return { ok: false, reason: 'URLs with a user name or password cannot be loaded' };
  }
  const normal = (o: string): string | null => {
    try {
      return new URL(o).origin;
    } catch {
      return null;
    }
  };
  const allowed = new Set([pageOrigin, ...allowedOrigins].map(normal).filter((o): o is string => o !== null));
  if (!allowed.has(parsed.origin)) {
    return { ok: false, reason: `${parsed.origin} is another site. ${PRIVACY}` };
  }
  return { ok: true, url: parsed };
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** Called as bytes arrive; `total` is null when the server does not say how many will come. */
  onProgress?: (loaded: number, total: number | null) => void;
  /** Most bytes to download; the download stops past it. */
  maxBytes: number;
  /** The fetch to use (tests pass their own); the global one by default. */
  fetchImpl?: typeof fetch;
}

/** The file name a URL points at, for the per-file report. */
function fileNameOf(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop();
  if (!last) return url.hostname;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

/**
 * Downloads one dataset file from an allowed origin, streaming with progress and stopping past `maxBytes`.
 * Throws DatasetFetchError with a message for the person; an abort through `signal` rejects with its
 * AbortError unchanged, so callers can tell cancelling from failing.
 */
export async function fetchDatasetFile(
  url: string,
  allowedOrigins: string[],
  pageOrigin: string,
  opts: FetchOptions,
): Promise<InputFile> {
  const check = checkDatasetUrl(url, allowedOrigins, pageOrigin);
  if (!check.ok) throw new DatasetFetchError(check.reason);
  const target = check.url;
  const doFetch = opts.fetchImpl ?? fetch;
  const tooLarge = (n: string) =>
    new DatasetFetchError(`${target.href} is ${n}, more than the ${formatBytes(opts.maxBytes)} this page accepts`);

  let response: Response;
  try {
    response = await doFetch(target.href, { signal: opts.signal, credentials: 'same-origin' });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new DatasetFetchError(
      `could not download ${target.href}: the network failed, the server is unreachable, or it does not allow ` +
        'this page to read the file (CORS)',
    );
  }
  if (!response.ok) {
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const hint = response.status === 404 ? ': no file at that address' : '';
    throw new DatasetFetchError(`could not download ${target.href}: the server answered HTTP ${status}${hint}`);
  }
  const header = response.headers.get('content-length');
  // With a content encoding the length counts compressed bytes, not those the stream delivers.
  const declared = header !== null && !response.headers.get('content-encoding') ? Number(header) : NaN;
  const total = Number.isFinite(declared) && declared >= 0 ? declared : null;
  if (total !== null && total > opts.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(formatBytes(total));
  }
  if (!response.body) return { name: fileNameOf(target), bytes: new Uint8Array(await response.arrayBuffer()) };

  const reader = response.body.getReader();
  let buffer = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  opts.onProgress?.(0, total);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.length > opts.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(`more than ${formatBytes(opts.maxBytes)}`);
      }
      if (loaded + value.length > buffer.length) {
        const grown = new Uint8Array(Math.min(opts.maxBytes, Math.max(loaded + value.length, buffer.length * 2)));
        grown.set(buffer.subarray(0, loaded));
        buffer = grown;
      }
      buffer.set(value, loaded);
      loaded += value.length;
      opts.onProgress?.(loaded, total);
    }
  } catch (e) {
    if (e instanceof DatasetFetchError || isAbort(e)) throw e;
    throw new DatasetFetchError(`the download of ${target.href} broke off after ${formatBytes(loaded)}`);
  }
  return { name: fileNameOf(target), bytes: loaded === buffer.length ? buffer : buffer.slice(0, loaded) };
}
