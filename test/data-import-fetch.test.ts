import { describe, expect, it } from 'vitest';
import { checkDatasetUrl, DatasetFetchError, fetchDatasetFile } from '../src/engine/data/import';

const PAGE = 'https://qat.example.org';

describe('checkDatasetUrl', () => {
  it('allows the page’s own origin, relative URLs and listed origins', () => {
    const same = checkDatasetUrl('https://qat.example.org/data/train-images-idx3-ubyte.gz', [], PAGE);
    expect(same.ok).toBe(true);
    const rel = checkDatasetUrl('data/cifar-10-binary.tar.gz', [], `${PAGE}/`);
    expect(rel.ok && rel.url.href).toBe('https://qat.example.org/data/cifar-10-binary.tar.gz');
    expect(checkDatasetUrl('https://data.example.org/x.gz', ['https://data.example.org/'], PAGE).ok).toBe(true);
  });

  it('refuses other origins and explains why', () => {
    const r = checkDatasetUrl('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', [], PAGE);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/https:\/\/www.cs.toronto.edu is another site/);
      expect(r.reason).toMatch(/Content-Security-Policy/);
      expect(r.reason).toMatch(/Download the file and drop it/);
    }
    // Same host on another port or scheme is another origin.
    expect(checkDatasetUrl('http://qat.example.org/x', [], PAGE).ok).toBe(false);
    expect(checkDatasetUrl('https://qat.example.org:8443/x', [], PAGE).ok).toBe(false);
  });

  it('refuses other schemes, credentials and malformed URLs', () => {
    for (const [url, why] of [
      ['file:///home/me/train.bin', /only http and https URLs .* not file:/],
      ['data:application/octet-stream;base64,AAAA', /not data:/],
      ['javascript:alert(1)', /not javascript:/],
      ['https://user:pw@qat.example.org/x', /user name or password/],
      ['http://[::1', /is not a valid URL/],
      ['   ', /no URL given/],
    ] as const) {
      const r = checkDatasetUrl(url, [PAGE], PAGE);
      expect(r.ok, url).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(why);
    }
  });
});

function fakeFetch(body: Uint8Array[], init: ResponseInit & { length?: boolean } = {}): typeof fetch {
  return (async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const b of body) c.enqueue(b);
        c.close();
      },
    });
    const total = body.reduce((s, b) => s + b.length, 0);
    const headers: Record<string, string> = init.length === false ? {} : { 'content-length': String(total) };
    return new Response(stream, { status: 200, headers, ...init });
  }) as typeof fetch;
}

const chunk = (n: number, v = 1): Uint8Array => new Uint8Array(n).fill(v);

describe('fetchDatasetFile', () => {
  it('streams the file with progress and names it after the URL', async () => {
    const seen: [number, number | null][] = [];
    const file = await fetchDatasetFile('/data/train%20images.gz', [], PAGE, {
      maxBytes: 1000,
      onProgress: (l, t) => seen.push([l, t]),
      fetchImpl: fakeFetch([chunk(10, 1), chunk(5, 2)]),
    });
    expect(file.name).toBe('train images.gz');
    expect(file.bytes.length).toBe(15);
    expect(file.bytes[12]).toBe(2);
    expect(seen).toEqual([
      [0, 15],
      [10, 15],
      [15, 15],
    ]);
  });

  it('grows its buffer when the size is not announced', async () => {
    const file = await fetchDatasetFile(`${PAGE}/x.bin`, [], PAGE, {
      maxBytes: 10_000_000,
      fetchImpl: fakeFetch([chunk(700_000), chunk(700_000, 3)], { length: false }),
    });
    expect(file.bytes.length).toBe(1_400_000);
    expect(file.bytes[1_399_999]).toBe(3);
  });

  it('refuses a file announced larger than the limit, and stops a stream past it', async () => {
    await expect(
      fetchDatasetFile(`${PAGE}/x.bin`, [], PAGE, { maxBytes: 10, fetchImpl: fakeFetch([chunk(20)]) }),
    ).rejects.toThrow(/is 20 bytes, more than the 10 bytes this page accepts/);
    await expect(
      fetchDatasetFile(`${PAGE}/x.bin`, [], PAGE, { maxBytes: 10, fetchImpl: fakeFetch([chunk(6), chunk(6)], { length: false }) }),
    ).rejects.toThrow(/more than the 10 bytes/);
  });

  it('reports HTTP errors, network failures and refused origins', async () => {
    const notFound = (async () => new Response('nope', { status: 404, statusText: 'Not Found' })) as typeof fetch;
    await expect(fetchDatasetFile(`${PAGE}/x.bin`, [], PAGE, { maxBytes: 10, fetchImpl: notFound })).rejects.toThrow(
      /HTTP 404 Not Found: no file at that address/,
    );
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const err = await fetchDatasetFile(`${PAGE}/x.bin`, [], PAGE, { maxBytes: 10, fetchImpl: down }).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetFetchError);
    expect(err.message).toMatch(/network failed.*CORS/);
    let called = false;
    const spy = (async () => {
      called = true;
      return new Response('');
    }) as typeof fetch;
    await expect(
      fetchDatasetFile('https://elsewhere.example.com/x', [], PAGE, { maxBytes: 10, fetchImpl: spy }),
    ).rejects.toThrow(/another site/);
    expect(called).toBe(false);
  });

  it('passes an abort through unchanged', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const aborting = (async (_u: RequestInfo | URL, init?: RequestInit) => {
      init?.signal?.throwIfAborted();
      return new Response('');
    }) as typeof fetch;
    const err = await fetchDatasetFile(`${PAGE}/x`, [], PAGE, { maxBytes: 10, signal: ctrl.signal, fetchImpl: aborting }).catch((e) => e);
    expect(err.name).toBe('AbortError');
  });
});
