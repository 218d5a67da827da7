import { usePlayground } from '../store/playground-store';

const RELOADED = 'qat-isolation-reload';

/**
 * Registers the service worker (production builds only) once the page is ready, so its downloads of the app and
 * the dataset come from the HTTP cache. On a host that sends no COOP/COEP headers the page is not cross-origin
 * isolated until the service worker serves it; it then reloads once, while nothing has trained yet.
 */
export function startServiceWorker(): () => void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return () => {};
  let done = false;
  const register = () => {
    done = true;
    navigator.serviceWorker
      .register(`${import.meta.env.BASE_URL}sw.js`)
      .then(() => navigator.serviceWorker.ready)
      .then(() => {
        const untouched = Object.values(usePlayground.getState().runs).every((r) => !r || r.step === 0);
        if (!crossOriginIsolated && untouched && !sessionStorage.getItem(RELOADED)) {
          sessionStorage.setItem(RELOADED, '1');
          location.reload();
        }
      })
      .catch((e: unknown) => console.warn(`offline use is off: the service worker did not register (${String(e)})`));
  };
  const ready = () => {
    const runs = Object.values(usePlayground.getState().runs);
    return runs.length > 0 && runs.every((r) => r && r.backend !== null);
  };
  if (ready()) register();
  const stop = usePlayground.subscribe(() => {
    if (!done && ready()) register();
  });
  return stop;
}
