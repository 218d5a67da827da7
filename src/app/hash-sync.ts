import { encodeConfig, decodeConfig } from '../config/url-hash';
import { syncRuns } from './run-pool';
import { usePlayground } from '../store/playground-store';

/**
 * Keeps the URL hash and the config in step, so every setup is a shareable link, and the Workers in step with the
 * config. Opening a link (or editing the hash) applies it; a bad value becomes its default plus a visible note.
 * Returns the function that stops it.
 */
export function startHashSync(): () => void {
  const fromHash = () => {
    const { config, notes } = decodeConfig(window.location.hash);
    usePlayground.getState().replaceConfig(config, notes);
  };
  const write = () => history.replaceState(null, '', `#${encodeConfig(usePlayground.getState().config)}`);
  // A hash this page wrote itself is already applied (React runs effects twice in development).
  const foreign = () => window.location.hash.slice(1) !== encodeConfig(usePlayground.getState().config);
  if (window.location.hash.length > 1 && foreign()) fromHash();
  write();
  syncRuns(usePlayground.getState().config);
  const unsubscribe = usePlayground.subscribe((s, prev) => {
    if (s.config === prev.config) return;
    write();
    syncRuns(s.config);
  });
  const onHashChange = () => {
    if (foreign()) fromHash();
  };
  window.addEventListener('hashchange', onHashChange);
  return () => {
    unsubscribe();
    window.removeEventListener('hashchange', onHashChange);
  };
}
