import { encodeConfig, decodeConfig } from '../config/url-hash';
import { CHANGES_PARAM, decodeChanges, encodeChanges } from '../config/changes-hash';
import type { SettingsChangeAt } from '../engine/vocabulary/settings-change';
import { runCommands, syncRuns } from './run-pool';
import { usePlayground } from '../store/playground-store';

/**
 * Keeps the URL hash and the config in step, so every setup is a shareable link, and the Workers in step with the
 * config. Opening a link (or editing the hash) applies it; a bad value becomes its default plus a visible note.
 * Returns the function that stops it.
 */
export function startHashSync(): () => void {
  // Settings changes of an opened link, for the runs its config starts (they are sent once those are configured).
  let linkChanges: SettingsChangeAt[] = [];
  const fromHash = () => {
    const { config, notes } = decodeConfig(window.location.hash);
    const text = new URLSearchParams(window.location.hash.slice(1)).get(CHANGES_PARAM);
    const changes = text ? decodeChanges(text) : { changes: [], notes: [] };
    linkChanges = changes.changes;
    usePlayground.getState().replaceConfig(config, [...notes, ...changes.notes]);
  };
  const sendLinkChanges = () => {
    for (const c of linkChanges) {
      runCommands.changeSettings(c.change, c.step);
      usePlayground.getState().scheduleSettingsChange(c);
    }
    linkChanges = [];
  };
  const encoded = () => {
    const { config, settingsSchedule } = usePlayground.getState();
    const params = new URLSearchParams(encodeConfig(config));
    if (settingsSchedule.length > 0) params.set(CHANGES_PARAM, encodeChanges(settingsSchedule));
    return params.toString();
  };
  const write = () => history.replaceState(null, '', `#${encoded()}`);
  // A hash this page wrote itself is already applied (React runs effects twice in development).
  const foreign = () => window.location.hash.slice(1) !== encoded();
  if (window.location.hash.length > 1 && foreign()) fromHash();
  syncRuns(usePlayground.getState().config);
  sendLinkChanges();
  write();
  const unsubscribe = usePlayground.subscribe((s, prev) => {
    if (s.config !== prev.config) {
      syncRuns(s.config);
      sendLinkChanges();
      write();
    } else if (s.settingsSchedule !== prev.settingsSchedule) write();
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
